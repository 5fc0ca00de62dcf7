package platform

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

func TestNormalizeHandleRecognisesProfileURLs(t *testing.T) {
	cases := []struct{ in, platform, handle string }{
		{"https://www.tiktok.com/@name", TikTok, "name"},
		{"tiktok.com/@Name?lang=en", TikTok, "name"},
		{"https://www.tiktok.com/@name/video/7312345", TikTok, "name"},
		{"@Name", "", "name"},
		{"  @@FooBar \t", "", "foobar"},
		{"foo", "", "foo"},
		{"https://www.youtube.com/@name", YouTube, "name"},
		{"youtube.com/channel/UCabcDEF123", YouTube, "ucabcdef123"},
		{"https://m.youtube.com/c/SomeName/videos", YouTube, "somename"},
		{"instagram.com/name/", Instagram, "name"},
		{"https://www.instagram.com/john.doe/?hl=en", Instagram, "john.doe"},
		{"https://www.xiaohongshu.com/user/profile/5f1a2b3c4d5e6f0001a2b3c4", RedNote, "5f1a2b3c4d5e6f0001a2b3c4"},
		{"x.com/name", X, "name"},
		{"twitter.com/Name", X, "name"},
		{"https://mobile.twitter.com/name/status/1", X, "name"},
		{"https://www.douyin.com/user/MS4wLjABAAAA", Douyin, "ms4wljabaaaa"},
		{"https://space.bilibili.com/12345", Bilibili, "12345"},
		{"https://www.facebook.com/profile.php?id=1000", Facebook, "1000"},
		{"https://www.twitch.tv/Streamer", Twitch, "streamer"},
		{"https://www.snapchat.com/add/snapper", Snapchat, "snapper"},
		{"https://www.instagram.com/p/Cabc/", Instagram, ""},
		{"https://shop.example.com/Creator/?x=1", "", "shop.example.com/creator"},
		{"李佳琦", "", "李佳琦"},
		{"john.doe", "", "john.doe"},
		// invisible characters and compatibility forms read as nothing and as the plain letters
		{"lu\u200dna", "", "luna"},           // zero-width joiner
		{"lu\u200cna", "", "luna"},           // zero-width non-joiner
		{"lu\u2060na", "", "luna"},           // word joiner
		{"lu\u00adna", "", "luna"},           // soft hyphen
		{"\u202eluna", "", "luna"},           // right-to-left override prefix
		{"\u2066luna\u2069", "", "luna"},     // isolate
		{"\ufeffluna", "", "luna"},           // byte order mark
		{"luna\ufe0f", "", "luna"},           // variation selector
		{"\u3164luna", "", "luna"},           // Hangul filler
		{"ｌｕｎａ", "", "luna"},                 // full-width
		{"＠Ｌｕｎａ", "", "luna"},                // full-width @ and capital
		{"ｔｉｋｔｏｋ.ｃｏｍ/＠luna", TikTok, "luna"}, // a full-width URL is still a URL
		{"https://www.tiktok.com/@lu%E2%80%8Dna", TikTok, "luna"},
		{"ﬁona", "", "fiona"}, // ligature
		{"李\u200b佳琦", "", "李佳琦"},
	}
	for _, c := range cases {
		p, h := NormalizeHandle(c.in)
		if p != c.platform || h != c.handle {
			t.Errorf("NormalizeHandle(%q) = (%q, %q), want (%q, %q)", c.in, p, h, c.platform, c.handle)
		}
	}
}

func FuzzNormalizeHandle(f *testing.F) {
	for _, s := range []string{"https://www.tiktok.com/@name", "tiktok.com/@name?lang=en", "@Name", "youtube.com/channel/UCx",
		"instagram.com/name/", "https://www.xiaohongshu.com/user/profile/abc", "x.com/name", "http://a b/c", "@@ @", "https://",
		"https://tiktok.com@evil.com/x", "HTTPS://TIKTOK.COM/@A%2Fb", "\u212aiktok.com/@a", "https://example.com/x/?a#b",
		"lu\u200dna", "\u202eluna", "lu\u00adna", "ｌｕｎａ", "раypal", "İstanbul", "ǅemal", "ﬁ\u0307", "a\u0301\u0328", "ｈｔｔｐｓ：／／ｘ．ｃｏｍ／ｎａｍｅ",
		"https://www.tiktok.com/@lu%E2%80%8Dna", "\u3164\ufe0f", "ß", "ẞ", "\u0130\u0307"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		_, h := NormalizeHandle(in)
		if p2, h2 := NormalizeHandle(h); h2 != h {
			t.Fatalf("not idempotent: %q → %q → (%q, %q)", in, h, p2, h2)
		}
		if strings.HasPrefix(h, "@") || strings.ToLower(h) != h || strings.IndexFunc(h, unicode.IsSpace) >= 0 {
			t.Fatalf("not canonical: %q → %q", in, h)
		}
		if i := strings.IndexFunc(h, invisible); i >= 0 {
			t.Fatalf("invisible %U kept: %q → %q", []rune(h[i:])[0], in, h)
		}
		if utf8.ValidString(in) && !norm.NFKC.IsNormalString(h) {
			t.Fatalf("not NFKC: %q → %q", in, h)
		}
		// a handle and its canonical form always look alike, and a skeleton maps to itself
		s := Skeleton(in)
		if s != Skeleton(h) {
			t.Fatalf("skeletons differ: %q → %q, %q → %q", in, s, h, Skeleton(h))
		}
		if again := foldText(confusables.Skeleton(s)); again != s {
			t.Fatalf("skeleton not stable: %q → %q → %q", in, s, again)
		}
	})
}

func TestHandlesPeopleReadAlikeShareASkeleton(t *testing.T) {
	for _, c := range []struct{ name, a, b string }{
		{"zero-width joiner", "luna", "lu\u200dna"},
		{"word joiner U+2060", "luna", "lu\u2060na"},
		{"soft hyphen", "luna", "lu\u00adna"},
		{"right-to-left override prefix", "luna", "\u202eluna"},
		{"full-width", "luna", "ｌｕｎａ"},
		{"Cyrillic р and а", "paypal", "раypal"},
		{"Cyrillic о in a Latin handle", "john.doe", "j\u043ehn.d\u043ee"},
		{"Greek ο", "moon", "m\u03bf\u03bfn"},
		{"mathematical letters", "paypal", "𝔭𝒶ỿ𝕡𝕒ℓ"},
		{"upper case", "Luna", "luna"},
		{"at sign and profile URL", "@luna", "https://www.tiktok.com/@luna?lang=en"},
		{"digit one for l", "luna", "1una"},
		{"Chinese with a zero-width space", "李佳琦", "李\u200b佳琦"},
	} {
		if sa, sb := Skeleton(c.a), Skeleton(c.b); sa != sb {
			t.Errorf("%s: Skeleton(%q) = %q, Skeleton(%q) = %q, want equal", c.name, c.a, sa, c.b, sb)
		}
	}
}

func TestDifferentHandlesKeepDifferentSkeletons(t *testing.T) {
	for _, c := range []struct{ a, b string }{
		{"luna", "lun\u04302"}, // a look-alike with one more character is another handle
		{"luna", "luna2"},
		{"luna", "lunar"},
		{"luna", "lu.na"},
		{"luna_x", "luna-x"},
		{"李佳琦", "李佳奇"},
		{"小红书", "小红"},
		{"王五", "王伍"},
		{"paypal", "paypa"},
		{"café", "cafe2"},
	} {
		if sa, sb := Skeleton(c.a), Skeleton(c.b); sa == sb {
			t.Errorf("Skeleton(%q) = Skeleton(%q) = %q, want different", c.a, c.b, sa)
		}
	}
}

func TestSkeletonOfASkeletonIsItself(t *testing.T) {
	for _, h := range []string{"luna", "раypal", "𝔭𝒶ỿ𝕡𝕒ℓ", "李佳琦", "İstanbul", "x\u0301", "rn", "0O"} {
		if s := Skeleton(h); Skeleton(s) != s {
			t.Errorf("Skeleton(%q) = %q, but Skeleton(%q) = %q", h, s, s, Skeleton(s))
		}
	}
}
