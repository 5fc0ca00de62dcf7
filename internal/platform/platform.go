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

// Catalogue lists every platform of the contract, in the order the UI shows them.
var Catalogue = []Info{
	{TikTok, "TikTok", "TikTok"},
	{YouTube, "YouTube", "YouTube（油管）"},
	{Instagram, "Instagram", "Instagram（照片墙）"},
	{RedNote, "RedNote (Xiaohongshu)", "小红书"},
	{Facebook, "Facebook", "Facebook（脸书）"},
	{X, "X (Twitter)", "X（推特）"},
	{Pinterest, "Pinterest", "Pinterest（拼趣）"},
	{Snapchat, "Snapchat", "Snapchat（色拉布）"},
	{Twitch, "Twitch", "Twitch"},
	{Kwai, "Kwai", "Kwai（快手海外版）"},
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
