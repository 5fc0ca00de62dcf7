package platform

import (
	"strings"
	"testing"
	"unicode"
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
		"https://tiktok.com@evil.com/x", "HTTPS://TIKTOK.COM/@A%2Fb", "\u212aiktok.com/@a", "https://example.com/x/?a#b"} {
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
	})
}
