package store

import "github.com/google/uuid"

// NewID returns a new opaque identifier: a UUIDv7, so IDs sort roughly by creation time and index well.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }
