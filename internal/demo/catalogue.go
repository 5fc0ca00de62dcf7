package demo

// The demo's fixed catalogue: the seller's products, its campaigns, its agencies, and the names, tags
// and words creators are drawn from. Everything random is drawn from these with the seeded generator.

import "github.com/caravan-crm/caravan/internal/platform"

// Organization defaults: a Ningbo home-goods exporter.
const (
	DefaultOrgName = "宁波森屿家居 Senyu Home"
	DefaultEmail   = "demo@senyu-home.example"
	DefaultOwner   = "林晓 Lin Xiao"
	baseCurrency   = "CNY"
	orgTimezone    = "Asia/Shanghai"
	shopURL        = "https://senyuhome.example"
	apiKeyName     = "Shop order sync"
)

// product is one of the seller's products, priced in US cents (the US shop's price; the other markets'
// prices follow from it, see localPrice).
type product struct {
	sku, name, nameZh, slug, kind string
	usdCents                      int64
	rateBps                       int64 // 0: none of its own
	popularity                    int   // relative sales weight
}

// Product kinds, which campaigns focus on.
const (
	kindLamp     = "lamp"
	kindVase     = "vase"
	kindCeramic  = "ceramic"
	kindRattan   = "rattan"
	kindTextile  = "textile"
	kindFragrant = "decor"
)

var products = []product{
	{"SY-LMP-001", "Moonlight Rattan Table Lamp", "月光藤编台灯", "moonlight-rattan-table-lamp", kindLamp, 5999, 0, 9},
	{"SY-LMP-002", "Moonlight Rattan Floor Lamp", "月光藤编落地灯", "moonlight-rattan-floor-lamp", kindLamp, 13900, 0, 4},
	{"SY-LMP-003", "Rice Paper Pendant Lamp 45 cm", "和纸吊灯 45厘米", "rice-paper-pendant-lamp", kindLamp, 4999, 0, 7},
	{"SY-LMP-004", "Ceramic Mushroom Lamp", "陶瓷蘑菇灯", "ceramic-mushroom-lamp", kindLamp, 4599, 0, 10},
	{"SY-LMP-005", "Pleated Linen Bedside Lamp", "褶皱亚麻床头灯", "pleated-linen-bedside-lamp", kindLamp, 3999, 0, 6},
	{"SY-LMP-006", "Bamboo Lantern Lamp", "竹编灯笼灯", "bamboo-lantern-lamp", kindLamp, 5499, 0, 4},
	{"SY-LMP-007", "Cordless Glass Dome Lamp", "玻璃无线小夜灯", "cordless-glass-dome-lamp", kindLamp, 3299, 0, 8},
	{"SY-LMP-008", "Wabi-Sabi Stone Lamp", "侘寂石纹台灯", "wabi-sabi-stone-lamp", kindLamp, 6900, 0, 3},
	{"SY-VAS-101", "Ripple Glass Vase", "波纹玻璃花瓶", "ripple-glass-vase", kindVase, 2999, 0, 9},
	{"SY-VAS-102", "Handmade Terracotta Amphora", "手工陶土双耳瓶", "terracotta-amphora", kindVase, 4200, 0, 4},
	{"SY-VAS-103", "Matte Bud Vase Set of 3", "哑光小花瓶三件套", "matte-bud-vase-set", kindVase, 2499, 0, 8},
	{"SY-VAS-104", "Longquan Celadon Crackle Vase", "龙泉青瓷开片花瓶", "celadon-crackle-vase", kindVase, 5800, 0, 3},
	{"SY-VAS-105", "Amber Bubble Glass Vase", "琥珀气泡花瓶", "amber-bubble-vase", kindVase, 3499, 0, 6},
	{"SY-VAS-106", "Blue-and-White Ginger Jar", "青花将军罐", "blue-white-ginger-jar", kindVase, 6499, 0, 3},
	{"SY-CER-201", "Speckled Stoneware Mug", "斑点粗陶马克杯", "speckled-stoneware-mug", kindCeramic, 1899, 0, 10},
	{"SY-CER-202", "Reactive Glaze Dinner Set, 16 pieces", "窑变釉餐具16件套", "reactive-glaze-dinner-set", kindCeramic, 12900, 800, 3},
	{"SY-CER-203", "Hand-thrown Matcha Bowl", "手拉坯抹茶碗", "hand-thrown-matcha-bowl", kindCeramic, 2600, 0, 5},
	{"SY-CER-204", "Ceramic Pour-over Coffee Set", "陶瓷手冲咖啡套装", "ceramic-pour-over-set", kindCeramic, 4499, 0, 6},
	{"SY-CER-205", "Jingdezhen Teacup Set of 4", "景德镇茶杯四件套", "jingdezhen-teacup-set", kindCeramic, 3999, 0, 5},
	{"SY-CER-206", "Wavy Ceramic Serving Platter", "波浪陶瓷餐盘", "wavy-serving-platter", kindCeramic, 3500, 0, 5},
	{"SY-CER-207", "Stoneware Planter with Saucer", "粗陶花盆带托盘", "stoneware-planter", kindCeramic, 2799, 0, 6},
	{"SY-CER-208", "Ceramic Incense Holder", "陶瓷香插", "ceramic-incense-holder", kindCeramic, 1499, 1500, 7},
	{"SY-RAT-301", "Rattan Storage Baskets, set of 3", "藤编收纳篮三件套", "rattan-storage-baskets", kindRattan, 4999, 0, 8},
	{"SY-RAT-302", "Woven Rattan Wall Mirror", "藤编壁挂镜", "rattan-wall-mirror", kindRattan, 7900, 0, 5},
	{"SY-RAT-303", "Rattan Bistro Chair", "藤编小餐椅", "rattan-bistro-chair", kindRattan, 15900, 600, 2},
	{"SY-RAT-304", "Seagrass Plant Basket", "海草编织花篮", "seagrass-plant-basket", kindRattan, 2999, 0, 7},
	{"SY-RAT-305", "Rattan Serving Tray", "藤编托盘", "rattan-serving-tray", kindRattan, 3200, 0, 6},
	{"SY-RAT-306", "Cane Bedside Table", "藤面床头柜", "cane-bedside-table", kindRattan, 11900, 700, 2},
	{"SY-RAT-307", "Rattan Pendant Shade", "藤编吊灯罩", "rattan-pendant-shade", kindRattan, 6500, 0, 4},
	{"SY-TEX-401", "Stonewashed Linen Duvet Set, Queen", "水洗亚麻被套四件套", "linen-duvet-set-queen", kindTextile, 14900, 0, 4},
	{"SY-TEX-402", "Linen Napkins, set of 4", "亚麻餐巾四件套", "linen-napkins", kindTextile, 2499, 0, 7},
	{"SY-TEX-403", "Chunky Knit Throw", "粗针织盖毯", "chunky-knit-throw", kindTextile, 5999, 0, 7},
	{"SY-TEX-404", "Bouclé Cushion Cover", "泰迪绒抱枕套", "boucle-cushion-cover", kindTextile, 2299, 0, 9},
	{"SY-TEX-405", "Tufted Cotton Bath Mat", "簇绒棉浴垫", "tufted-bath-mat", kindTextile, 2999, 0, 6},
	{"SY-TEX-406", "Jacquard Table Runner", "提花桌旗", "jacquard-table-runner", kindTextile, 2699, 0, 4},
	{"SY-TEX-407", "Mulberry Silk Pillowcase 22 momme", "22姆米桑蚕丝枕套", "mulberry-silk-pillowcase", kindTextile, 4500, 1500, 8},
	{"SY-TEX-408", "Cotton Muslin Throw", "纱布盖毯", "cotton-muslin-throw", kindTextile, 3999, 0, 5},
	{"SY-TEX-409", "Linen Curtain Panel 140×260", "亚麻窗帘 140×260", "linen-curtain-panel", kindTextile, 5499, 0, 4},
	{"SY-DEC-501", "Solid Wood Candle Holders, pair", "实木烛台一对", "wood-candle-holders", kindFragrant, 2800, 0, 5},
	{"SY-DEC-502", "Osmanthus Soy Candle", "桂花香薰蜡烛", "osmanthus-soy-candle", kindFragrant, 2199, 1800, 9},
}

// tier is a step of a tiered plan, in the plan currency's minor units.
type tier struct{ from, bps int64 }

// campaignSpec is one of the seller's campaigns, placed in the demo's window: from start (a day of
// the window, 0 its first) for days days (0: open-ended).
type campaignSpec struct {
	name      string
	slug      string
	start     int // day of the window; a negative day counts back from its end; a draft's counts from the end forward
	days      int
	status    string // draft; "": ended once its last day has passed, else active
	kinds     []string
	platforms []string
	countries []string // the creators it recruits (none: any)
	share     float64  // of the eligible active creators it enrols
	window    int64    // attribution window, days (0: the default)
	hold      int64    // hold days (0: the default)
	rateBps   int64    // percent plan
	base      string   // net (default) or gross
	tiers     []tier   // tiered plan, in tierCurrency
	tierCur   string
	raise     int64 // a second plan version from the middle of the campaign: this rate
	budget    int64 // USD cents
}

var campaigns = []campaignSpec{
	{name: "Creator Always-On 达人常青计划", slug: "always-on", start: 0, share: 0.55, rateBps: 1000,
		platforms: []string{platform.TikTok, platform.Instagram, platform.YouTube, platform.RedNote}},
	{name: "Rattan Living 藤编生活季", slug: "rattan-living", start: 6, days: 56, kinds: []string{kindRattan}, share: 0.18,
		platforms: []string{platform.Instagram, platform.TikTok}, rateBps: 1200, raise: 1500, budget: 1_500_000},
	{name: "Ceramics Studio 陶瓷工坊", slug: "ceramics-studio", start: 35, days: 70, kinds: []string{kindCeramic, kindVase}, share: 0.2,
		platforms: []string{platform.Instagram, platform.YouTube, platform.TikTok}, tierCur: "USD",
		tiers: []tier{{0, 800}, {200_000, 1000}, {500_000, 1200}}, window: 14},
	{name: "Japan Debut 日本上新", slug: "japan-debut", start: 60, countries: []string{"JP"}, share: 0.9,
		platforms: []string{platform.Instagram, platform.YouTube, platform.TikTok}, tierCur: "JPY",
		tiers: []tier{{0, 1000}, {300_000, 1200}, {1_000_000, 1500}}},
	{name: "Moonlight Lamp Launch 月光灯上新", slug: "moonlight-launch", start: 75, days: 56, kinds: []string{kindLamp}, share: 0.22,
		platforms: []string{platform.TikTok, platform.YouTube, platform.Instagram}, rateBps: 1500, base: "gross", hold: 14, budget: 2_000_000},
	{name: "Linen & Sleep 亚麻好眠", slug: "linen-sleep", start: 105, days: 60, kinds: []string{kindTextile}, share: 0.16,
		platforms: []string{platform.Instagram, platform.RedNote, platform.TikTok}, rateBps: 1100},
	{name: "Holiday Gift Guide 节日礼物指南", slug: "holiday-gifts", start: -40, days: 75, share: 0.3,
		kinds: []string{kindFragrant, kindCeramic, kindTextile, kindLamp}, tierCur: "USD",
		tiers: []tier{{0, 1000}, {300_000, 1300}, {800_000, 1600}}, window: 7, budget: 3_000_000,
		platforms: []string{platform.TikTok, platform.Instagram, platform.YouTube, platform.RedNote}},
	{name: "Spring Preview 春季预热", slug: "spring-preview", start: 20, days: 45, status: "draft", share: 0.05, rateBps: 1200,
		kinds: []string{kindRattan, kindVase}, platforms: []string{platform.Instagram, platform.RedNote}},
}

// agencySpec is an MCN agency.
type agencySpec struct {
	name, country, email string
	shareBps             int64
}

var agencies = []agencySpec{
	{"Bloom Talent Collective", "US", "deals@bloomtalent.example", 1500},
	{"Brightline Creators", "GB", "hello@brightline.example", 1200},
	{"Nordlicht Media", "DE", "partner@nordlicht-media.example", 1000},
	{"Maison Créateurs", "FR", "contact@maisoncreateurs.example", 1200},
	{"Hikari Creative 光クリエイティブ", "JP", "info@hikari-creative.example", 1800},
	{"星火出海 MCN Starfire Global", "CN", "bd@starfire-mcn.example", 2000},
}

// market is where a creator's audience buys: the shop's currency there.
type market struct {
	country  string
	weight   int // creators from it, in per mille
	currency string
	langs    []string
	utcHour  int // the offset of its evenings, for order times
	first    []string
	last     []string
}

var markets = []market{
	{"US", 330, "USD", []string{"en"}, -5, usFirst, usLast},
	{"GB", 120, "GBP", []string{"en"}, 0, gbFirst, gbLast},
	{"DE", 90, "EUR", []string{"de", "en"}, 1, deFirst, deLast},
	{"FR", 80, "EUR", []string{"fr"}, 1, frFirst, frLast},
	{"JP", 80, "JPY", []string{"ja"}, 9, nil, nil}, // names from jpNames
	{"CA", 60, "USD", []string{"en"}, -5, usFirst, usLast},
	{"AU", 50, "USD", []string{"en"}, 10, gbFirst, gbLast},
	{"IT", 40, "EUR", []string{"it"}, 1, itFirst, itLast},
	{"ES", 40, "EUR", []string{"es"}, 1, esFirst, esLast},
	{"NL", 30, "EUR", []string{"nl", "en"}, 1, nlFirst, nlLast},
	{"SG", 30, "USD", []string{"en", "zh"}, 8, nil, nil}, // Chinese-speaking creators, RedNote first
	{"MY", 20, "USD", []string{"ms", "zh"}, 8, nil, nil},
}

var (
	usFirst = []string{"Emma", "Olivia", "Ava", "Sophia", "Mia", "Harper", "Madison", "Chloe", "Lily", "Grace", "Hannah", "Zoe",
		"Natalie", "Brooke", "Kayla", "Jasmine", "Maya", "Aaliyah", "Sofia", "Camila", "Jessica", "Ashley", "Megan", "Lauren",
		"Rachel", "Taylor", "Avery", "Riley", "Jake", "Tyler", "Marcus", "Ethan", "Noah", "Caleb", "Jordan", "Andre", "Luis"}
	usLast = []string{"Johnson", "Williams", "Brown", "Miller", "Davis", "Garcia", "Rodriguez", "Martinez", "Anderson", "Taylor",
		"Thomas", "Moore", "Jackson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "Nguyen", "Kim", "Patel",
		"Rivera", "Brooks", "Bennett", "Hayes", "Foster", "Reed", "Price", "Coleman", "Sullivan"}
	gbFirst = []string{"Amelia", "Isla", "Poppy", "Freya", "Florence", "Evie", "Imogen", "Harriet", "Rosie", "Millie", "Phoebe",
		"Eleanor", "Matilda", "Ruby", "Olivia", "Charlotte", "Oliver", "Harry", "George", "Alfie", "Archie", "Theo", "Jack"}
	gbLast = []string{"Smith", "Jones", "Wilson", "Evans", "Roberts", "Wright", "Hughes", "Edwards", "Green", "Wood", "Clarke",
		"Turner", "Hill", "Cooper", "Ward", "Morgan", "Baker", "Khan", "Harrison", "Carter", "Mitchell", "Shaw"}
	deFirst = []string{"Lena", "Hannah", "Mia", "Lea", "Anna", "Lara", "Marie", "Sophie", "Johanna", "Clara", "Greta", "Paula",
		"Jonas", "Leon", "Felix", "Lukas", "Finn", "Maximilian", "Emilia", "Charlotte"}
	deLast = []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
		"Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Braun", "Zimmermann", "Krüger", "Hartmann"}
	frFirst = []string{"Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Alice", "Juliette", "Zoé", "Clémence",
		"Margaux", "Hugo", "Louis", "Lucas", "Gabriel", "Arthur", "Théo", "Élise", "Anaïs"}
	frLast = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
		"Laurent", "Lefebvre", "Michel", "Fournier", "Girard", "Bonnet", "Lambert", "Rousseau", "Fontaine"}
	itFirst = []string{"Giulia", "Sofia", "Aurora", "Alice", "Ginevra", "Giorgia", "Beatrice", "Martina", "Chiara", "Francesca",
		"Lorenzo", "Matteo", "Leonardo", "Elena"}
	itLast = []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
		"Bruno", "Gallo", "Conti", "De Luca"}
	esFirst = []string{"Lucía", "Sofía", "Martina", "María", "Paula", "Julia", "Valeria", "Carmen", "Alba", "Noa", "Hugo",
		"Pablo", "Álvaro", "Irene"}
	esLast = []string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín",
		"Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno"}
	nlFirst = []string{"Emma", "Julia", "Mila", "Tess", "Sophie", "Zoë", "Sara", "Nora", "Fenna", "Daan", "Sem", "Lucas", "Levi"}
	nlLast  = []string{"de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit",
		"Meijer", "de Boer", "Mulder", "de Groot", "Bos"}
)

// jpName is a Japanese name with its romanisation, for handles.
type jpName struct{ kanji, romaji string }

var (
	jpFirst = []jpName{{"美咲", "misaki"}, {"さくら", "sakura"}, {"陽菜", "hina"}, {"結衣", "yui"}, {"葵", "aoi"}, {"凛", "rin"},
		{"美月", "mizuki"}, {"真央", "mao"}, {"彩花", "ayaka"}, {"優奈", "yuna"}, {"千尋", "chihiro"}, {"菜々子", "nanako"},
		{"健太", "kenta"}, {"翔", "sho"}, {"大輝", "daiki"}, {"遥", "haruka"}}
	jpLast = []jpName{{"佐藤", "sato"}, {"鈴木", "suzuki"}, {"高橋", "takahashi"}, {"田中", "tanaka"}, {"伊藤", "ito"},
		{"渡辺", "watanabe"}, {"山本", "yamamoto"}, {"中村", "nakamura"}, {"小林", "kobayashi"}, {"加藤", "kato"},
		{"吉田", "yoshida"}, {"山田", "yamada"}, {"松本", "matsumoto"}, {"井上", "inoue"}}
	jpSuffix = []string{"暮らしの記録", "インテリア日記", "丁寧な暮らし", "おうち時間", "器と花", "北欧と和"}

	// zhNames are Chinese-speaking creators abroad (RedNote first): a Chinese name and the English one
	// they use elsewhere.
	zhFirst = []jpName{{"小鹿", "lulu"}, {"思雨", "sienna"}, {"佳怡", "jiayi"}, {"子涵", "hannah"}, {"若曦", "ruoxi"},
		{"欣然", "cynthia"}, {"雨桐", "yutong"}, {"诗涵", "serena"}, {"梦瑶", "mona"}, {"可欣", "coco"}, {"一诺", "eno"},
		{"浩然", "howard"}}
	zhLast  = []jpName{{"林", "lin"}, {"陈", "chen"}, {"王", "wang"}, {"张", "zhang"}, {"李", "li"}, {"周", "zhou"}, {"吴", "wu"}, {"徐", "xu"}}
	zhStyle = []string{"的小家", "家居日记", "在海外", "的租房改造", "生活志", "的慢生活"}
)

// handleWords make creator handles and brand-like display names.
var (
	handleWords = []string{"home", "nest", "living", "decor", "house", "interiors", "cozy", "studio", "abode", "haven", "loft",
		"cottage", "corner", "space", "finds", "styled", "athome", "dwelling"}
	brandPrefix = []string{"The Cozy", "Little", "Slow", "Soft", "Sunday", "Golden Hour", "Wildflower", "Quiet", "Linen &", "Clay &"}
	brandNoun   = []string{"Nest", "Home", "Corner", "Studio", "House", "Loft", "Cottage", "Table", "Shelf", "Haven"}
)

// tags are what the seller writes on creators.
var tags = []string{"home decor", "interior design", "lighting", "ceramics", "minimalist", "boho", "cottagecore", "japandi",
	"DIY", "small apartment", "renovation", "unboxing", "lifestyle", "mom life", "student", "vintage", "tabletop", "plants",
	"cozy", "sustainable", "wedding", "gift ideas", "ASMR", "home tour", "organisation", "高转化", "回头客", "价格敏感", "英语区", "重点培养"}

// notes are what the seller writes about a creator.
var notes = []string{
	"Prefers a sample before posting; ships to a studio address.",
	"Strong on lamps and lighting content, weaker on textiles.",
	"Asks for a flat fee on top of commission for YouTube integrations.",
	"Audience skews 25–34, mostly renters. Great for small-space products.",
	"Agency handles contracts and invoices; creative brief goes to the creator directly.",
	"Posts weekly home tours; good for the Moonlight series.",
	"寄样后两周内出视频，转化稳定。",
	"粉丝以北美华人为主，适合礼品类。",
	"沟通需用英文邮件，回复较慢。",
	"Slow to reply on email, quick on WhatsApp.",
	"Very high engagement on Reels; ask for Story links too.",
	"Had a breakage complaint with the floor lamp: pack with extra foam.",
}

// userAgents are browsers, in-app browsers and a few bots, for clicks.
var userAgents = []string{
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_38.5.0 JsSdk/2.0 NetType/WIFI",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 389.0.0.33.87",
	"Mozilla/5.0 (Linux; Android 15; SM-S928B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Mobile Safari/537.36 Instagram 388.0.0.26.85 Android",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.4 Safari/605.1.15",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 XHS/8.74.0",
	"Mozilla/5.0 (Linux; Android 14; 23127PN0CG) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/136.0.0.0 Mobile Safari/537.36 XiaoHongShu/8.70",
}

var botAgents = []string{
	"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
	"WhatsApp/2.24.6.77 A",
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Twitterbot/1.0",
}

var referers = map[string]string{
	platform.TikTok:    "https://www.tiktok.com/",
	platform.Instagram: "https://l.instagram.com/",
	platform.YouTube:   "https://www.youtube.com/",
	platform.RedNote:   "https://www.xiaohongshu.com/",
}

// storeCodes are the shop's own promo codes: orders that name them are nobody's.
var storeCodes = []string{"WELCOME10", "NEWSLETTER15", "FREESHIP", "SENYU5"}

// rejections are why finance rejects an attributed order.
var rejections = []string{
	"Self-purchase by the creator: not eligible for commission",
	"Duplicate of an order placed twice by the customer",
	"Failed the fraud check; the shop cancelled it",
	"测试订单，不计佣金",
}
