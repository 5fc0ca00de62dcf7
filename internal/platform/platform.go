// Package platform is a leaf: the catalogue of social platforms creators publish on, and the
// normalisation of handles and profile URLs (with the confusable skeletons that tell handles people
// read alike). It owns no table; risk marks and the exposure insight are in package insight.
package platform

// Platform keys, as the API spells them.
const (
	TikTok    = "tiktok"
	YouTube   = "youtube"
	Instagram = "instagram"
	RedNote   = "rednote" // Xiaohongshu
	Facebook  = "facebook"
	X         = "x"
	Pinterest = "pinterest"
	Snapchat  = "snapchat"
	Twitch    = "twitch"
	Kwai      = "kwai"
	Douyin    = "douyin"
	Bilibili  = "bilibili"
	Other     = "other"
)

// Info is one platform of the catalogue, with its display names.
type Info struct {
	Key    string `json:"platform"`
	Name   string `json:"name"`
	NameZh string `json:"name_zh"`
}

// Catalogue lists every platform of the contract, in the order the UI shows them. The Chinese names
// are the ones sellers write: the brand for international platforms (no invented nicknames such as
// 油管 or 脸书), the Chinese name for Chinese ones (小红书, 抖音, 哔哩哔哩).
var Catalogue = []Info{
	{TikTok, "TikTok", "TikTok"},
	{YouTube, "YouTube", "YouTube"},
	{Instagram, "Instagram", "Instagram"},
	{RedNote, "RedNote (Xiaohongshu)", "小红书"},
	{Facebook, "Facebook", "Facebook"},
	{X, "X (Twitter)", "X"},
	{Pinterest, "Pinterest", "Pinterest"},
	{Snapchat, "Snapchat", "Snapchat"},
	{Twitch, "Twitch", "Twitch"},
	{Kwai, "Kwai", "Kwai"},
	{Douyin, "Douyin", "抖音"},
	{Bilibili, "Bilibili", "哔哩哔哩"},
	{Other, "Other", "其他"},
}

var byKey = func() map[string]Info {
	m := make(map[string]Info, len(Catalogue))
	for _, p := range Catalogue {
		m[p.Key] = p
	}
	return m
}()

// Valid reports whether key is a platform of the catalogue.
func Valid(key string) bool {
	_, ok := byKey[key]
	return ok
}

// Lookup returns the catalogue entry of key.
func Lookup(key string) (Info, bool) {
	p, ok := byKey[key]
	return p, ok
}

// Keys returns the platform keys joined for error messages.
func Keys() string {
	s := ""
	for i, p := range Catalogue {
		if i > 0 {
			s += ", "
		}
		s += p.Key
	}
	return s
}
