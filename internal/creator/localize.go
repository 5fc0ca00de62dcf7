package creator

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/caravan-crm/caravan/internal/country"
	"github.com/caravan-crm/caravan/internal/platform"
)

// Sellers fill spreadsheets with the words they read in the UI, in English or Chinese: 小红书 for
// rednote, 美国 or United States for US, 合作中 for active, 15% for a rate. This file turns those words
// into the contract's values for the import, and the contract's values into words for the export, so
// that an exported file reads like the UI and imports back unchanged.

// exportLabels are the UI's words for statuses, tiers and account statuses, per export language
// (the same words as the locale files of the UI).
var exportLabels = map[string]map[string]string{
	"en": {
		"status." + StatusProspect: "Prospect", "status." + StatusContacted: "Contacted", "status." + StatusNegotiating: "Negotiating",
		"status." + StatusActive: "Active", "status." + StatusPaused: "Paused", "status." + StatusChurned: "Churned", "status." + StatusBlocked: "Blocked",
		"tier.nano": "Nano", "tier.micro": "Micro", "tier.mid": "Mid-tier", "tier.macro": "Macro", "tier.mega": "Mega",
		"account." + AccountActive: "Active", "account." + AccountDormant: "Dormant", "account." + AccountBanned: "Banned", "account." + AccountMigrated: "Migrated",
	},
	"zh": {
		"status." + StatusProspect: "潜在", "status." + StatusContacted: "已联系", "status." + StatusNegotiating: "洽谈中",
		"status." + StatusActive: "合作中", "status." + StatusPaused: "暂停", "status." + StatusChurned: "已流失", "status." + StatusBlocked: "已拉黑",
		"tier.nano": "素人", "tier.micro": "小达人", "tier.mid": "腰部", "tier.macro": "头部", "tier.mega": "超头部",
		"account." + AccountActive: "正常", "account." + AccountDormant: "不活跃", "account." + AccountBanned: "已封禁", "account." + AccountMigrated: "已迁移",
	},
}

// label returns the word of kind.value in lang, or value itself when there is none.
func label(lang, kind, value string) string {
	if l, ok := exportLabels[lang][kind+"."+value]; ok {
		return l
	}
	return value
}

// platformLabel is the catalogue's name of a platform in lang.
func platformLabel(lang, key string) string {
	info, ok := platform.Lookup(key)
	switch {
	case !ok:
		return key
	case lang == "zh":
		return info.NameZh
	}
	return info.Name
}

// fold is the matching form of a word: NFKC (full width to ASCII), lower case, single spaces.
func fold(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(norm.NFKC.String(s)), " "))
}

// statusWords lets a file say the pipeline status as the UI shows it, in English or Chinese.
var statusWords = func() map[string]string {
	m := map[string]string{}
	for _, s := range Statuses {
		m[s] = s
		for lang := range exportLabels {
			m[fold(label(lang, "status", s))] = s
		}
	}
	return m
}()

// localStatus turns a status cell into a status key; an unknown word is returned folded, for the
// validation to refuse.
func localStatus(s string) string {
	if v, ok := statusWords[fold(s)]; ok {
		return v
	}
	return fold(s)
}

// platformWords maps the names sellers write to platform keys: the catalogue's names in both
// languages, and the few other names every seller uses.
var platformWords = func() map[string]string {
	m := map[string]string{
		"xiaohongshu": platform.RedNote, "xhs": platform.RedNote, "red": platform.RedNote, "红书": platform.RedNote,
		"twitter": platform.X, "b站": platform.Bilibili, "快手": platform.Kwai, "kuaishou": platform.Kwai,
		"youtube shorts": platform.YouTube, "ig": platform.Instagram, "fb": platform.Facebook, "tik tok": platform.TikTok,
		"其他": platform.Other,
	}
	for _, p := range platform.Catalogue {
		m[fold(p.Key)] = p.Key
		m[fold(p.Name)] = p.Key
		m[fold(p.NameZh)] = p.Key
	}
	return m
}()

// localPlatform turns a platform cell into a platform key; an unknown name is returned as written,
// for the validation to refuse.
func localPlatform(s string) string {
	if v, ok := platformWords[fold(s)]; ok {
		return v
	}
	return s
}

// countryWords are the names of the markets cross-border sellers deal with most, in English and
// Chinese, with the abbreviations people write (USA, UK, UAE). Two-letter codes need no entry.
var countryWords = func() map[string]string {
	names := map[string][]string{
		"US": {"United States", "United States of America", "USA", "U.S.", "U.S.A.", "America", "美国", "美國"},
		"GB": {"United Kingdom", "UK", "U.K.", "Great Britain", "Britain", "England", "英国", "英國"},
		"CA": {"Canada", "加拿大"},
		"AU": {"Australia", "澳大利亚", "澳洲"},
		"NZ": {"New Zealand", "新西兰"},
		"IE": {"Ireland", "爱尔兰"},
		"DE": {"Germany", "Deutschland", "德国", "德國"},
		"FR": {"France", "法国", "法國"},
		"IT": {"Italy", "意大利"},
		"ES": {"Spain", "西班牙"},
		"PT": {"Portugal", "葡萄牙"},
		"NL": {"Netherlands", "The Netherlands", "Holland", "荷兰"},
		"BE": {"Belgium", "比利时"},
		"CH": {"Switzerland", "瑞士"},
		"AT": {"Austria", "奥地利"},
		"SE": {"Sweden", "瑞典"},
		"NO": {"Norway", "挪威"},
		"DK": {"Denmark", "丹麦"},
		"FI": {"Finland", "芬兰"},
		"PL": {"Poland", "波兰"},
		"CZ": {"Czech Republic", "Czechia", "捷克"},
		"GR": {"Greece", "希腊"},
		"RO": {"Romania", "罗马尼亚"},
		"HU": {"Hungary", "匈牙利"},
		"RU": {"Russia", "Russian Federation", "俄罗斯"},
		"UA": {"Ukraine", "乌克兰"},
		"TR": {"Turkey", "Türkiye", "Turkiye", "土耳其"},
		"IL": {"Israel", "以色列"},
		"AE": {"United Arab Emirates", "UAE", "U.A.E.", "阿联酋", "阿拉伯联合酋长国"},
		"SA": {"Saudi Arabia", "KSA", "沙特", "沙特阿拉伯"},
		"QA": {"Qatar", "卡塔尔"},
		"KW": {"Kuwait", "科威特"},
		"EG": {"Egypt", "埃及"},
		"MA": {"Morocco", "摩洛哥"},
		"NG": {"Nigeria", "尼日利亚"},
		"KE": {"Kenya", "肯尼亚"},
		"ZA": {"South Africa", "南非"},
		"CN": {"China", "Mainland China", "PRC", "中国", "中國", "中国大陆"},
		"HK": {"Hong Kong", "香港", "中国香港"},
		"MO": {"Macau", "Macao", "澳门", "中国澳门"},
		"TW": {"Taiwan", "台湾", "臺灣", "中国台湾"},
		"JP": {"Japan", "日本"},
		"KR": {"South Korea", "Korea", "Republic of Korea", "韩国", "韓國", "南韩"},
		"SG": {"Singapore", "新加坡"},
		"MY": {"Malaysia", "马来西亚"},
		"TH": {"Thailand", "泰国"},
		"VN": {"Vietnam", "Viet Nam", "越南"},
		"ID": {"Indonesia", "印度尼西亚", "印尼"},
		"PH": {"Philippines", "菲律宾"},
		"IN": {"India", "印度"},
		"PK": {"Pakistan", "巴基斯坦"},
		"BD": {"Bangladesh", "孟加拉国", "孟加拉"},
		"MX": {"Mexico", "México", "墨西哥"},
		"BR": {"Brazil", "Brasil", "巴西"},
		"AR": {"Argentina", "阿根廷"},
		"CL": {"Chile", "智利"},
		"CO": {"Colombia", "哥伦比亚"},
		"PE": {"Peru", "秘鲁"},
	}
	m := map[string]string{}
	for code, list := range names {
		for _, n := range list {
			m[fold(n)] = code
		}
	}
	return m
}()

// localCountry turns a country cell (a code, or a name in English or Chinese) into a country code;
// an unknown name is returned as written, for the validation to refuse.
func localCountry(s string) string {
	if c := country.Normalize(s); country.Valid(c) {
		return c
	}
	if c, ok := countryWords[fold(s)]; ok {
		return c
	}
	return s
}

// parseRate reads a commission rate cell: "15%" or "12.5 %" is a percentage (1500 or 1250 basis points),
// in either column; a number without % is basis points in a bps column and a percentage in a
// percentage column (what a seller means by 15 under 佣金率).
func parseRate(cell string, percent bool) (int64, error) {
	s := strings.ReplaceAll(norm.NFKC.String(strings.TrimSpace(cell)), ",", "")
	if t, ok := strings.CutSuffix(s, "%"); ok {
		s, percent = strings.TrimSpace(t), true
	}
	if !percent {
		n, err := strconv.ParseInt(strings.TrimSuffix(s, ".0"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("must be a whole number of basis points (1500) or a percentage (15%%)")
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("must be a percentage such as 15%% or 12.5%%")
	}
	bps := f * 100
	if math.Abs(bps-math.Round(bps)) > 1e-6 {
		return 0, fmt.Errorf("must be a percentage with at most two decimals, such as 12.25%%")
	}
	return int64(math.Round(bps)), nil
}
