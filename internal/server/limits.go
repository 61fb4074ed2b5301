package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"pcnet/internal/observe"
	"pcnet/internal/pcnet"
	"pcnet/internal/storeguard"
)

// Error codes of the HTTP layer, beside pcnet's (invalid, not_found,
// unavailable, ...), in extensions.code.
const (
	// ELimitExceeded: the request is bigger or costlier than a limit
	// allows. extensions.limit names the limit (LimitDepth, ...), and
	// extensions.max and extensions.actual give the figures. Nothing was
	// run: change the request, don't retry it as it is.
	ELimitExceeded = "limit_exceeded"
	// ETimeout: the request ran out of its time (Limits.Timeout); the
	// fields not resolved by then have this error. Retrying may succeed
	// when the server is less busy; asking for less helps.
	ETimeout = storeguard.ETimeout
)

// The limits, as named in extensions.limit and in the metrics.
const (
	LimitDepth      = "depth"
	LimitComplexity = "complexity"
	LimitAliases    = "aliases"
	LimitFields     = "fields"
	LimitBody       = "body"
	LimitBatch      = "batch"
	LimitTokens     = "tokens"
	// LimitErrors names the error that stands for those left out of an
	// answer (MaxErrors); its extensions.actual counts them all.
	LimitErrors = "errors"
	// LimitSubscriptions: a WebSocket connection has as many
	// subscriptions as Limits.MaxSubscriptionsPerConnection allows.
	LimitSubscriptions = "subscriptions"
	// LimitConnections: a client address has as many WebSocket
	// connections open as Limits.MaxConnectionsPerAddress allows.
	LimitConnections = "connections"
)

func init() {
	// A request over a limit is rejected before it runs, like a syntax
	// error: gqlgen answers those with HTTP 422 (400 for clients accepting
	// application/graphql-response+json) when their code is of the
	// protocol kind. gqlgen keeps that table in a package variable, so it
	// can only be told once, here.
	errcode.RegisterErrorType(ELimitExceeded, errcode.KindProtocol)
}

// Limits bound what a single request may ask for. Every check but the
// timeout runs before any store work. A zero field takes its default
// (DefaultLimits); a negative one turns the limit off.
type Limits struct {
	// MaxDepth bounds the nesting of fields: { regions { name } } has
	// depth 2.
	MaxDepth int
	// MaxComplexity bounds the estimated cost of an operation (see
	// graph/complexity.go): each field costs 1 (analytics fields 10), and the
	// cost of what a list selects is multiplied by its expected length —
	// `first` for connections, the known number of regions or Provinces,
	// the `limit` argument, the dates of a timeline.
	MaxComplexity int
	// MaxAliases bounds the aliased fields of an operation, the usual way
	// to ask for one expensive field many times in a request.
	MaxAliases int
	// MaxFields bounds the fields of an operation, counted after expanding
	// fragments.
	MaxFields int
	// MaxTokens bounds the lexical tokens of a query document; the parser
	// stops at the limit, so a huge document costs no parsing or validation.
	MaxTokens int
	// MaxSubscriptionsPerConnection bounds the subscriptions one WebSocket
	// connection has at once, so that one client can't take every slot
	// of the server-wide cap (events.DefaultMaxSubscribers).
	MaxSubscriptionsPerConnection int
	// MaxConnectionsPerAddress bounds the WebSocket connections open at
	// once from one client address (the TCP peer's IP: behind a proxy,
	// that is the proxy's, so raise the limit there or cap at the proxy).
	MaxConnectionsPerAddress int
	// Timeout bounds the time of each query and mutation, on every
	// transport; its context is cancelled then, which stops the store
	// query in flight. Subscriptions are exempt.
	Timeout time.Duration
}

// Defaults. The example operations (examples/) and GraphiQL's
// introspection query pass them all with a wide margin; the tests check so.
const (
	DefaultMaxDepth      = 15
	DefaultMaxComplexity = 250_000
	DefaultMaxAliases    = 30
	DefaultMaxFields     = 500
	DefaultMaxTokens     = 10_000
	DefaultTimeout       = 15 * time.Second
	// DefaultMaxSubscriptionsPerConnection: a dashboard has a few.
	DefaultMaxSubscriptionsPerConnection = 50
	// DefaultMaxConnectionsPerAddress: a few browsers behind one NAT.
	DefaultMaxConnectionsPerAddress = 100
	// DefaultMaxBodyBytes is the default of Options.MaxBodyBytes.
	DefaultMaxBodyBytes = 1 << 20
)

// MaxErrors bounds the errors of a rejected document that an answer lists;
// past it, one more error says how many were left out. Validation reports
// some errors per pair of fields, so their number can grow as the square
// of the document.
const MaxErrors = 20

// hardMaxFields bounds the fields of an operation when MaxFields is off.
const hardMaxFields = 1_000_000

// DefaultLimits returns the default limits.
func DefaultLimits() Limits {
	return Limits{
		MaxDepth:      DefaultMaxDepth,
		MaxComplexity: DefaultMaxComplexity,
		MaxAliases:    DefaultMaxAliases,
		MaxFields:     DefaultMaxFields,
		MaxTokens:     DefaultMaxTokens,
		Timeout:       DefaultTimeout,

		MaxSubscriptionsPerConnection: DefaultMaxSubscriptionsPerConnection,
		MaxConnectionsPerAddress:      DefaultMaxConnectionsPerAddress,
	}
}

// withDefaults fills zero fields with defaults and turns negative ones
// (off) into 0.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	pick := func(v, def int) int {
		switch {
		case v < 0:
			return 0
		case v == 0:
			return def
		}
		return v
	}
	l.MaxDepth = pick(l.MaxDepth, d.MaxDepth)
	l.MaxComplexity = pick(l.MaxComplexity, d.MaxComplexity)
	l.MaxAliases = pick(l.MaxAliases, d.MaxAliases)
	l.MaxFields = pick(l.MaxFields, d.MaxFields)
	l.MaxTokens = pick(l.MaxTokens, d.MaxTokens)
	l.MaxSubscriptionsPerConnection = pick(l.MaxSubscriptionsPerConnection, d.MaxSubscriptionsPerConnection)
	l.MaxConnectionsPerAddress = pick(l.MaxConnectionsPerAddress, d.MaxConnectionsPerAddress)
	switch {
	case l.Timeout < 0:
		l.Timeout = 0
	case l.Timeout == 0:
		l.Timeout = d.Timeout
	}
	return l
}

// limitError is the error of a request over a limit.
func limitError(limit string, max, actual int64, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{
		Message: fmt.Sprintf(format, args...),
		Extensions: map[string]any{
			"code":   ELimitExceeded,
			"limit":  limit,
			"max":    max,
			"actual": actual,
		},
	}
}

// operationLimits is the gqlgen extension that checks an operation's
// complexity (and refuses introspection when it is off) after validation,
// before execution: a rejected operation never reaches a resolver, so it
// costs no store work.
type operationLimits struct {
	schema        graphql.ExecutableSchema // set by Validate
	limits        Limits
	introspection bool
	metrics       *observe.Metrics // may be nil
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*operationLimits)(nil)

func (*operationLimits) ExtensionName() string { return "pcnet limits" }
func (o *operationLimits) Validate(es graphql.ExecutableSchema) error {
	o.schema = es
	return nil
}
func (o *operationLimits) reject(limit string, err *gqlerror.Error) *gqlerror.Error {
	if o.metrics != nil {
		o.metrics.ObserveRejection(limit)
	}
	return err
}

func (o *operationLimits) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	l := o.limits
	maxFields := l.MaxFields
	if maxFields <= 0 {
		// Even with the limit off, the walk must stop somewhere: fragments
		// can expand a small document exponentially.
		maxFields = hardMaxFields
	}
	// Fields, depth and aliases were checked before parsing (preValidate);
	// complexity needs the schema's types and the variables.
	a := analyzeOperation(opCtx.Doc, opCtx.Operation, maxFields)
	if a.introspection && !o.introspection {
		// gqlgen alone would fail each introspection field at execution,
		// with an uncoded error; this refuses the operation before it runs.
		err := gqlerror.Errorf("introspection is turned off on this server: __schema and __type can't be queried")
		err.Extensions = map[string]any{"code": pcnet.EFORBIDDEN}
		return err
	}
	// gqlgen's calculator over the schema's complexity functions
	// (graph/complexity.go), the one extension.FixedComplexityLimit runs;
	// called here so the refusal carries pcnet's coded limit error
	// (limit_exceeded, max, actual) rather than COMPLEXITY_LIMIT_EXCEEDED.
	cost := complexity.Calculate(ctx, o.schema, opCtx.Operation, opCtx.Variables)
	if o.metrics != nil {
		o.metrics.ObserveComplexity(cost)
	}
	if l := requestLogFrom(ctx); l != nil {
		l.mu.Lock()
		l.complexity = cost
		l.mu.Unlock()
	}
	if l.MaxComplexity > 0 && cost > l.MaxComplexity {
		return o.reject(LimitComplexity, limitError(LimitComplexity, int64(l.MaxComplexity), int64(cost),
			"the operation has an estimated cost of %d, more than the limit of %d: ask for smaller pages (first), fewer nested lists or fewer fields",
			cost, l.MaxComplexity))
	}
	return nil
}

// preValidate parses a document with the token limit and checks every
// operation and fragment in it against the limits that need no schema
// (fields, depth, aliases), before gqlgen parses and validates it: the cost
// of validation grows faster than the document (field merging compares
// fields pairwise), so a document over a limit must never reach it. It is
// a second parse of a new document (gqlgen's executor offers no hook
// between its parse and its validation), and the cheaper part of the work.
// limit names the limit broken, "" for a syntax error.
func preValidate(query, operationName string, l Limits) (limit string, _ *gqlerror.Error) {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, l.MaxTokens)
	if err != nil {
		gqlErr, ok := err.(*gqlerror.Error)
		if !ok {
			gqlErr = gqlerror.Errorf("%s", err)
		}
		// gqlparser's token-limit error has no code of its own, only its text.
		if l.MaxTokens > 0 && strings.HasPrefix(gqlErr.Message, "exceeded token limit") {
			return LimitTokens, limitError(LimitTokens, int64(l.MaxTokens), -1,
				"the query document has more than %d tokens", l.MaxTokens)
		}
		errcode.Set(gqlErr, errcode.ParseFailed)
		return "", gqlErr
	}
	maxFields := l.MaxFields
	if maxFields <= 0 {
		maxFields = hardMaxFields
	}
	check := func(set ast.SelectionSet) (string, *gqlerror.Error) {
		w := &walker{fragments: doc.Fragments, maxFields: maxFields}
		w.walk(set, 1)
		a := w.f
		switch {
		case a.fields > maxFields:
			return LimitFields, limitError(LimitFields, int64(maxFields), int64(a.fields),
				"the operation selects more than %d fields (fragments expanded): ask for fewer, or split it into several requests", maxFields)
		case l.MaxDepth > 0 && a.depth > l.MaxDepth:
			return LimitDepth, limitError(LimitDepth, int64(l.MaxDepth), int64(a.depth),
				"the operation nests fields %d deep, more than the limit of %d", a.depth, l.MaxDepth)
		case l.MaxAliases > 0 && a.aliases > l.MaxAliases:
			return LimitAliases, limitError(LimitAliases, int64(l.MaxAliases), int64(a.aliases),
				"the operation has %d aliased fields, more than the limit of %d", a.aliases, l.MaxAliases)
		}
		return "", nil
	}
	// Validation looks at every operation and fragment, not only the one
	// to run, so each must be within the limits. The one named goes first,
	// so its figures are those reported.
	if op := doc.Operations.ForName(operationName); op != nil {
		if limit, err := check(op.SelectionSet); err != nil {
			return limit, err
		}
	}
	for _, op := range doc.Operations {
		if limit, err := check(op.SelectionSet); err != nil {
			return limit, err
		}
	}
	for _, f := range doc.Fragments {
		if limit, err := check(f.SelectionSet); err != nil {
			return limit, err
		}
	}
	return "", nil
}

// cappedRules are gqlparser's validation rules, reporting MaxErrors+1
// errors at most per document: a rule that finds more stops creating them
// (capErrors says how many there were). The executor swaps in two rules
// of its own (FieldsOnCorrectType, ScalarLeafs) unwrapped; they report at
// most one error per field, which the fields limit bounds.
func cappedRules() *rules.Rules {
	r := rules.NewDefaultRules()
	reported := 0 // one validation runs its rules on one goroutine
	for name, rule := range r.GetInner() {
		r.ReplaceRule(name, func(observers *core.Events, addError core.AddErrFunc) {
			rule(observers, func(options ...core.ErrorOption) {
				if reported++; reported <= MaxErrors+1 {
					addError(options...)
				}
			})
		})
	}
	return r
}

// capErrors keeps the first MaxErrors errors of an answer and replaces the
// rest by one error that counts them, so no answer grows with the square of
// its request.
func capErrors(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || len(resp.Errors) <= MaxErrors {
		return resp
	}
	total := len(resp.Errors)
	more := limitError(LimitErrors, MaxErrors, int64(total),
		"%d more errors not shown: fix the ones above first", total-MaxErrors)
	resp.Errors = append(resp.Errors[:MaxErrors:MaxErrors], more)
	return resp
}

// operationFigures are what analyzeOperation measures.
type operationFigures struct {
	depth, fields, aliases int
	introspection          bool // selects __schema or __type
}

// analyzeOperation measures an operation: its depth, fields and aliases
// (fragments expanded). gqlgen has no depth, alias or field limit, hence
// this walk. It stops counting once fields passes maxFields (when
// positive), so a document whose fragments expand exponentially costs no
// more than maxFields fields to reject.
func analyzeOperation(doc *ast.QueryDocument, op *ast.OperationDefinition, maxFields int) operationFigures {
	w := &walker{maxFields: maxFields}
	if doc != nil {
		w.fragments = doc.Fragments
	}
	w.walk(op.SelectionSet, 1)
	return w.f
}

type walker struct {
	fragments ast.FragmentDefinitionList
	maxFields int
	f         operationFigures
	expanding map[string]bool // fragments being expanded: a document not yet validated may have cycles
}

func (w *walker) stopped() bool { return w.maxFields > 0 && w.f.fields > w.maxFields }

// walk counts the fields of a selection set at depth (its fields' depth).
func (w *walker) walk(set ast.SelectionSet, depth int) {
	for _, sel := range set {
		if w.stopped() {
			return
		}
		switch sel := sel.(type) {
		case *ast.Field:
			w.f.fields++
			if sel.Alias != "" && sel.Alias != sel.Name {
				w.f.aliases++
			}
			w.f.depth = max(w.f.depth, depth)
			if sel.Name == "__schema" || sel.Name == "__type" {
				w.f.introspection = true
			}
			w.walk(sel.SelectionSet, depth+1)
		case *ast.InlineFragment:
			w.walk(sel.SelectionSet, depth)
		case *ast.FragmentSpread:
			def := sel.Definition
			if def == nil {
				def = w.fragments.ForName(sel.Name)
			}
			if def != nil && !w.expanding[def.Name] {
				if w.expanding == nil {
					w.expanding = make(map[string]bool)
				}
				w.expanding[def.Name] = true
				w.walk(def.SelectionSet, depth)
				delete(w.expanding, def.Name)
			}
		}
	}
}

// guardBody is the HTTP side of the limits for POST requests: it reads the
// body up to maxBytes, answering 413 with a GraphQL-shaped JSON error when
// it is longer, and refuses a JSON array (a batch of operations: pcnet runs
// one operation per request) with 400. It leaves other requests alone.
func guardBody(maxBytes int64, metrics *observe.Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
		r.Body.Close()
		if err != nil {
			if _, ok := err.(*http.MaxBytesError); ok {
				if metrics != nil {
					metrics.ObserveRejection(LimitBody)
				}
				writeJSONError(w, r, http.StatusRequestEntityTooLarge, limitError(LimitBody, maxBytes, -1,
					"the request body is larger than the limit of %d bytes", maxBytes))
				return
			}
			writeJSONError(w, r, http.StatusBadRequest, &gqlerror.Error{
				Message:    "could not read the request body",
				Extensions: map[string]any{"code": pcnet.EINVALID},
			})
			return
		}
		if err := checkJSONBody(r, body); err != nil {
			writeJSONError(w, r, http.StatusBadRequest, err)
			return
		}
		if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '[' {
			if metrics != nil {
				metrics.ObserveRejection(LimitBatch)
			}
			writeJSONError(w, r, http.StatusBadRequest, limitError(LimitBatch, 1, -1,
				"batched requests (a JSON array of operations) are not supported: send one operation per request, as a JSON object"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// operationDeadline bounds every query and mutation by d, whatever the
// transport (POST, GET, WebSocket, any Accept header): its context, which
// the resolvers, the dataloaders and so the store query in flight use, is
// cancelled when the time is up. Subscriptions, which live as long as their
// client wants, are exempt.
func operationDeadline(d time.Duration) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		if d <= 0 || !graphql.HasOperationContext(ctx) {
			return next(ctx)
		}
		if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation == ast.Subscription {
			return next(ctx)
		}
		ctx, cancel := context.WithTimeoutCause(ctx, d, storeguard.RequestTimeout{Limit: d})
		defer cancel()
		return next(ctx)
	}
}

// checkJSONBody refuses a JSON request body that gqlgen would accept
// wrongly or answer badly: invalid UTF-8 (which Go's decoder turns into
// U+FFFD, so it would be stored), JSON that doesn't parse (which gqlgen
// echoes whole in its error, without a code), and an object with neither
// "query" nor "extensions" (a misspelt parameter: 400, not a 422 "no
// operation"). Bodies of other types are gqlgen's.
func checkJSONBody(r *http.Request, body []byte) *gqlerror.Error {
	if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Type"))), "application/json") {
		return nil
	}
	invalid := func(msg string) *gqlerror.Error {
		return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": pcnet.EINVALID}}
	}
	if !utf8.Valid(body) {
		return invalid("the request body is not valid UTF-8")
	}
	if !json.Valid(body) {
		return invalid("the request body is not valid JSON")
	}
	var params map[string]json.RawMessage
	if err := json.Unmarshal(body, &params); err != nil {
		if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '[' {
			return nil // a batch: guardBody answers it
		}
		return invalid(`the request body must be a JSON object: {"query": "...", "variables": {...}}`)
	}
	_, query := params["query"]
	_, ext := params["extensions"]
	if !query && !ext {
		return invalid(`the request has no "query" parameter: send {"query": "...", "variables": {...}}`)
	}
	return nil
}

// jsonStatus answers 200 instead of 422 to clients that accept
// application/json but not application/graphql-response+json, as the
// GraphQL-over-HTTP spec asks for requests that don't parse or validate
// (gqlgen answers them 422). Other statuses and WebSocket upgrades pass.
func jsonStatus(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accept := r.Header.Get("Accept")
		if isWebsocket(r) || !strings.Contains(accept, "application/json") || strings.Contains(accept, "application/graphql-response+json") {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(okFor422{ResponseWriter: w}, r)
	})
}

type okFor422 struct{ http.ResponseWriter }

func (w okFor422) WriteHeader(code int) {
	if code == http.StatusUnprocessableEntity {
		code = http.StatusOK
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w okFor422) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// writeJSONError answers a request with one GraphQL error, in the shape
// clients expect from /graphql.
func writeJSONError(w http.ResponseWriter, r *http.Request, status int, err *gqlerror.Error) {
	noteErrorCode(r.Context(), err)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": gqlerror.List{err}})
}
