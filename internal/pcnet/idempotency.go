package pcnet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Idempotency keys (issue 12, item 9). A write answered "unavailable" may
// have committed: the answer, not the write, was lost. A caller that gives
// a write an idempotency key can retry it safely: the store keeps the key,
// with a fingerprint of the write's input and its result, in the write's own
// transaction (beside its audit entries), and a later write with the same
// key returns that result without writing again.
//
// The rules, the same on every store:
//   - A key is scoped to the caller: the Subject of the context's Actor
//     (the token's name). Two callers may use the same key independently;
//     a caller never sees another's result.
//   - The same key with the same operation and input returns the stored
//     result (the same payload), writes nothing and records no audit entry.
//     The same key with another operation or other input is ECONFLICT,
//     field "idempotencyKey".
//   - A write that changes nothing (unchanged) still keeps its key and
//     result: a retry returns the first answer even when the state moved on
//     meanwhile, and the key can't be reused for other input.
//   - A write that fails with a coded error (invalid, not_found, conflict)
//     keeps nothing: it wrote nothing, so its retry is planned again.
//   - Keys are kept as long as the audit trail: for ever.
//   - A key is 1 to MaxIdempotencyKeyLength printable ASCII characters
//     (a UUID or ULID fits), EINVALID field "idempotencyKey" otherwise.

// MaxIdempotencyKeyLength bounds an idempotency key, in bytes.
const MaxIdempotencyKeyLength = 128

// IdempotencyField is the input field an idempotency key error names.
const IdempotencyField = "idempotencyKey"

type idempotencyKeyKey struct{}

// WithIdempotencyKey returns a context carrying the idempotency key of a
// write. It travels in the context, like the Actor, because it is about
// the request, not the write's input: the Writer methods keep their
// signatures.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKeyKey{}, key)
}

// IdempotencyKeyFrom returns the idempotency key carried by ctx, if any.
func IdempotencyKeyFrom(ctx context.Context) (string, bool) {
	return valueFrom[string](ctx, idempotencyKeyKey{})
}

// ValidateIdempotencyKey checks a key's size and characters.
func ValidateIdempotencyKey(key string) error {
	if key == "" {
		return Invalidf(IdempotencyField, "idempotencyKey: must not be empty (leave it out for a write without one)")
	}
	if len(key) > MaxIdempotencyKeyLength {
		return Invalidf(IdempotencyField, "idempotencyKey: %d bytes long, at most %d expected", len(key), MaxIdempotencyKeyLength)
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x21 || c > 0x7e {
			return Invalidf(IdempotencyField, "idempotencyKey: character %d is not printable ASCII (letters, digits and punctuation, no spaces)", i+1)
		}
	}
	return nil
}

// Idempotency is a write's idempotency key with what identifies its input.
type Idempotency struct {
	Scope       string // the caller: the Subject of the context's Actor
	Key         string
	Operation   string // the Writer method, e.g. "CreateService"
	Fingerprint string // hex SHA-256 of Operation and the input's JSON encoding
}

// IdempotencyFrom returns the idempotency of a write of operation op with
// input from ctx's key and actor: nil when ctx carries no key, EINVALID
// when the key is malformed. Stores call it before planning.
func IdempotencyFrom(ctx context.Context, op string, input ...any) (*Idempotency, error) {
	key, ok := IdempotencyKeyFrom(ctx)
	if !ok {
		return nil, nil
	}
	if err := ValidateIdempotencyKey(key); err != nil {
		return nil, err
	}
	b, err := json.Marshal(input)
	if err != nil {
		return nil, fmt.Errorf("pcnet: encoding the input of %s for its idempotency key: %w", op, err)
	}
	h := sha256.New()
	h.Write([]byte(op))
	h.Write([]byte{0})
	h.Write(b)
	actor, _ := ActorFrom(ctx)
	return &Idempotency{Scope: actor.Subject, Key: key, Operation: op, Fingerprint: hex.EncodeToString(h.Sum(nil))}, nil
}

// WriteCall is one call of a write method as a store's write helper takes
// it: what identifies it for its idempotency key, and its input's
// validation error, returned before the store does any work.
type WriteCall struct {
	Method  string // the Writer method, e.g. "CreateService": the key's Operation
	Input   []any  // the method's arguments, fingerprinted with the key
	Invalid error  // the arguments' validation error; nil when valid or checked while planning
}

// Start returns the call's idempotency (IdempotencyFrom) or, with a well-formed
// key or none, its validation error: a malformed key is reported first.
func (c WriteCall) Start(ctx context.Context) (*Idempotency, error) {
	idem, err := IdempotencyFrom(ctx, c.Method, c.Input...)
	if err != nil {
		return nil, err
	}
	return idem, c.Invalid
}

// ID is the stored identity of the key: scope and key, NUL-separated
// (neither contains a NUL: a key is printable ASCII).
func (i *Idempotency) ID() string { return i.Scope + "\x00" + i.Key }

// IdempotencyRecord is what a store keeps of a write made with a key, in
// the write's transaction.
type IdempotencyRecord struct {
	Idempotency
	Result   json.RawMessage // the write's result, JSON-encoded
	At       time.Time       // when the write committed, UTC to the millisecond
	FirstSeq int64           // the Seq of the write's first audit entry; 0: it changed nothing
	LastSeq  int64           // the Seq of its last one
}

// Record returns the record of a write with result, which recorded
// changes (stamped; none when it changed nothing) at at.
func (i *Idempotency) Record(result any, changes []Change, at time.Time) (IdempotencyRecord, error) {
	b, err := json.Marshal(result)
	if err != nil {
		return IdempotencyRecord{}, fmt.Errorf("pcnet: encoding the result of %s for its idempotency key: %w", i.Operation, err)
	}
	r := IdempotencyRecord{Idempotency: *i, Result: b, At: at.UTC().Truncate(time.Millisecond)}
	if len(changes) > 0 {
		r.FirstSeq, r.LastSeq = changes[0].Seq, changes[len(changes)-1].Seq
		r.At = changes[0].At
	}
	return r, nil
}

// Replay decodes the result of stored, a record with i's ID, into out, a
// pointer to the write's result: ECONFLICT naming idempotencyKey when
// stored was made by another operation or with other input.
func (i *Idempotency) Replay(stored IdempotencyRecord, out any) error {
	if stored.Operation != i.Operation || stored.Fingerprint != i.Fingerprint {
		other := stored.Operation
		if other == i.Operation {
			other += " with other input"
		}
		return &Error{Code: ECONFLICT, Field: IdempotencyField, Message: fmt.Sprintf(
			"idempotencyKey: %q was used at %s for another write (%s); use a new key for a new write",
			i.Key, stored.At.UTC().Format(time.RFC3339), other)}
	}
	if err := json.Unmarshal(stored.Result, out); err != nil {
		return fmt.Errorf("pcnet: decoding the stored result of %s for idempotency key %q: %w", i.Operation, i.Key, err)
	}
	return nil
}
