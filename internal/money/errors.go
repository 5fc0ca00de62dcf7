package money

import (
	"errors"

	"github.com/caravan-crm/caravan/internal/apperr"
)

// Sentinels for errors.Is. Every error the package returns is an *apperr.Error of KindValidation whose
// Code names the problem for the UI and whose cause is one of these.
var (
	ErrInvalidAmount    = errors.New("money: invalid amount")
	ErrTooManyDecimals  = errors.New("money: too many decimals")
	ErrOutOfRange       = errors.New("money: amount out of range")
	ErrUnknownCurrency  = errors.New("money: unknown currency")
	ErrCurrencyMismatch = errors.New("money: currency mismatch")
	ErrInvalidRate      = errors.New("money: invalid rate")
	ErrDivisionByZero   = errors.New("money: division by zero")
)

// Stable codes, as the API sends them.
const (
	CodeInvalidAmount    = "invalid_amount"
	CodeTooManyDecimals  = "too_many_decimals"
	CodeOutOfRange       = "amount_out_of_range"
	CodeUnknownCurrency  = "unknown_currency"
	CodeCurrencyMismatch = "currency_mismatch"
	CodeInvalidRate      = "invalid_rate"
)

func fail(cause error, code, msg string) error {
	return &apperr.Error{Kind: apperr.KindValidation, Code: code, Message: msg, Err: cause}
}

func unknownCurrency(code string) error {
	return fail(ErrUnknownCurrency, CodeUnknownCurrency, "unknown currency "+quote(code))
}

func outOfRange(what string) error {
	return fail(ErrOutOfRange, CodeOutOfRange, what+" does not fit in 64-bit minor units")
}

// quote shortens and quotes user input for a message, so a megabyte of digits does not end up in a log line.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		s = s[:max] + "…"
	}
	return `"` + s + `"`
}
