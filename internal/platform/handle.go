package platform

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

// hosts maps the host of a profile URL (without www., m. or mobile.) to its platform.
var hosts = map[string]string{
	"tiktok.com":         TikTok,
	"youtube.com":        YouTube,
	"instagram.com":      Instagram,
	"xiaohongshu.com":    RedNote,
	"x.com":              X,
	"twitter.com":        X,
	"facebook.com":       Facebook,
	"fb.com":             Facebook,
	"pinterest.com":      Pinterest,
	"snapchat.com":       Snapchat,
	"twitch.tv":          Twitch,
	"kwai.com":           Kwai,
	"douyin.com":         Douyin,
	"bilibili.com":       Bilibili,
	"space.bilibili.com": Bilibili,
}

// notProfiles are first path segments that name a page of the site rather than an account.
var notProfiles = map[string]bool{
	"p": true, "reel": true, "reels": true, "explore": true, "stories": true, "tv": true, "accounts": true,
	"i": true, "home": true, "search": true, "intent": true, "share": true, "hashtag": true, "watch": true,
	"pin": true, "video": true, "login": true, "settings": true,
}

// NormalizeHandle turns what people paste (a handle with or without @, in any case, or a profile URL
// such as https://www.tiktok.com/@name?lang=en or https://www.xiaohongshu.com/user/profile/ID) into
// the canonical handle: NFKC, no whitespace, no invisible characters, no leading @, lower case. The
// platform is returned when the input is a URL of a known platform, "" otherwise. A URL of a known platform that names no account
// gives an empty handle. Normalising a canonical handle gives it back unchanged: that makes
// platform+handle a safe unique key.
func NormalizeHandle(in string) (platform, handle string) {
	platform, handle = normalizeOnce(in)
	// A few odd inputs (an unknown site's address starting with @, a decoded segment with spaces) need
	// a second pass to reach the canonical form; stop at the fixed point.
	for range 8 {
		_, h := normalizeOnce(handle)
		if h == handle {
			break
		}
		handle = h
	}
	return platform, handle
}

func normalizeOnce(in string) (platform, handle string) {
	// NFKC first: full-width "ｌｕｎａ" and compatibility forms become the letters people read, and a
	// full-width space or @ becomes one that the next steps remove.
	s := norm.NFKC.String(strings.ToValidUTF8(in, ""))
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || invisible(r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimLeft(s, "@")
	lower := strings.ToLower(s)
	if p, h, ok := profileURL(lower); ok {
		return p, h
	}
	return "", lower
}

// profileURL recognises lower as a URL: with an http(s) scheme, or host/path of a known platform.
func profileURL(lower string) (platform, handle string, ok bool) {
	raw := lower
	switch {
	case strings.HasPrefix(lower, "https://"), strings.HasPrefix(lower, "http://"):
	case strings.Contains(lower, "/"):
		raw = "https://" + lower
	default:
		return "", "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		if raw != lower {
			return "", "", false
		}
		return "", lower, true
	}
	host := u.Hostname()
	for _, prefix := range []string{"www.", "m.", "mobile."} {
		host = strings.TrimPrefix(host, prefix)
	}
	p, known := hosts[host]
	if !known {
		if raw != lower {
			return "", "", false // host/path of an unknown site: an ordinary handle
		}
		// Some other site: keep its address without scheme, query and trailing slashes, so that
		// normalising the result again finds the same host and gives the same answer.
		rest := lower[strings.Index(lower, "://")+3:]
		rest, _, _ = strings.Cut(rest, "#")
		rest, _, _ = strings.Cut(rest, "?")
		return "", strings.TrimRight(rest, "/"), true
	}
	var segs []string
	for _, seg := range strings.Split(u.Path, "/") {
		if seg != "" {
			segs = append(segs, seg)
		}
	}
	seg := func(i int) string {
		if i < len(segs) {
			return segs[i]
		}
		return ""
	}
	var h string
	switch p {
	case TikTok, Kwai:
		if at, ok := strings.CutPrefix(seg(0), "@"); ok {
			h = at
		}
	case YouTube:
		if at, ok := strings.CutPrefix(seg(0), "@"); ok {
			h = at
		} else if seg(0) == "channel" || seg(0) == "c" || seg(0) == "user" {
			h = seg(1)
		}
	case RedNote:
		if seg(0) == "user" && seg(1) == "profile" {
			h = seg(2)
		}
	case Douyin:
		if seg(0) == "user" {
			h = seg(1)
		}
	case Snapchat:
		if seg(0) == "add" {
			h = seg(1)
		}
	case Facebook:
		if seg(0) == "profile.php" {
			h = u.Query().Get("id")
		} else if !notProfiles[seg(0)] {
			h = seg(0)
		}
	case Bilibili:
		if host == "space.bilibili.com" {
			h = seg(0)
		}
	default: // instagram, x, pinterest, twitch: the first segment is the account
		if !notProfiles[seg(0)] {
			h = seg(0)
		}
	}
	// The segment was decoded from the URL: clean it like any handle. It holds no "/", so it can
	// never be taken for a URL again.
	_, h = normalizeOnce(strings.ReplaceAll(h, "/", ""))
	return p, h, true
}

// invisible reports whether r is drawn as nothing, so that a handle holding it reads like one
// without it: controls, format characters (Unicode category Cf: zero-width space and joiners, U+2060,
// the soft hyphen, bidirectional controls, the byte order mark), variation selectors and the other
// default-ignorable code points (Hangul fillers, the combining grapheme joiner).
func invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}

// Skeleton is the Unicode TR39 confusable skeleton of a handle, lower-cased: two handles people
// would read as the same ("paypal" and "раypal" with a Cyrillic р and а, "luna" and "ｌｕｎａ" or
// "lu\u200dna") have the same skeleton. The input is normalised first (a profile URL gives its
// handle's skeleton). A skeleton is a key to compare, never a handle to show: it mixes scripts.
// Different handles may share one on purpose ("l" and "1", "o" and "0" are confusable).
func Skeleton(handle string) string {
	_, s := NormalizeHandle(handle)
	// The table's targets are not always in NFKC nor lower case ("%" becomes "º/₀", "0" becomes
	// "O"): fold them like a handle and map again until nothing changes, so that strings with the
	// same skeleton stay together whatever route they took.
	for range 8 {
		next := foldText(confusables.Skeleton(s))
		if next == s {
			break
		}
		s = next
	}
	return s
}

// foldText is the text part of handle normalisation: NFKC, nothing invisible, lower case.
func foldText(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || invisible(r) {
			return -1
		}
		return r
	}, s)
	return norm.NFKC.String(strings.ToLower(s))
}
