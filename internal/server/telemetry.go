package server

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// telemetry is the gqlgen extension that tells the access log and the
// metrics about each operation, and traces it: a span per operation
// ("query DashboardRegion") and per root field ("Query.regions"), under
// the HTTP span and above the store spans. Nested fields get no span of
// their own: a dashboard resolves thousands of them, and what they cost
// is the store calls they batch into, which have spans.
type telemetry struct {
	tracer       trace.Tracer
	logVariables bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.RootFieldInterceptor
	graphql.ResponseInterceptor
} = telemetry{}

func (telemetry) ExtensionName() string                   { return "pcnet telemetry" }
func (telemetry) Validate(graphql.ExecutableSchema) error { return nil }

// operationType returns "query", "mutation" or "subscription".
func operationType(oc *graphql.OperationContext) string {
	if oc == nil || oc.Operation == nil {
		return ""
	}
	return string(oc.Operation.Operation)
}

func operationName(oc *graphql.OperationContext) string {
	if oc.OperationName != "" {
		return oc.OperationName
	}
	if oc.Operation != nil {
		return oc.Operation.Name
	}
	return ""
}

func (t telemetry) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	name, kind := operationName(oc), operationType(oc)
	if l := requestLogFrom(ctx); l != nil {
		l.mu.Lock()
		l.operation, l.opType = name, kind
		if t.logVariables {
			l.variables = oc.Variables
		}
		l.mu.Unlock()
	}
	spanName := kind
	if name != "" {
		spanName += " " + name
	}
	ctx, span := t.tracer.Start(ctx, spanName, trace.WithAttributes(
		attribute.String("graphql.operation.type", kind),
		attribute.String("graphql.operation.name", name),
	))
	if kind == "subscription" {
		// A subscription's span covers setting it up; its events are
		// answered long after, each traced by its own store calls.
		defer span.End()
		return next(ctx)
	}
	rh := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := rh(ctx)
		if resp != nil && len(resp.Errors) > 0 {
			span.SetAttributes(attribute.Int("graphql.errors", len(resp.Errors)))
			span.SetStatus(codes.Error, resp.Errors[0].Message)
		}
		span.End()
		return resp
	}
}

func (t telemetry) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if fc == nil || strings.HasPrefix(fc.Field.Name, "__") {
		return next(ctx)
	}
	// fc.Object holds the field's name for root fields: name the root type.
	root := "Query"
	if graphql.HasOperationContext(ctx) {
		switch operationType(graphql.GetOperationContext(ctx)) {
		case "mutation":
			root = "Mutation"
		case "subscription":
			root = "Subscription"
		}
	}
	ctx, span := t.tracer.Start(ctx, root+"."+fc.Field.Name, trace.WithAttributes(
		attribute.String("graphql.field.name", fc.Field.Name),
		attribute.String("graphql.field.alias", fc.Field.Alias),
	))
	defer span.End()
	return next(ctx)
}

// InterceptResponse records the codes of the errors answered, for the
// access log and the metrics; errors are presented by then.
func (t telemetry) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp != nil {
		if l := requestLogFrom(ctx); l != nil && graphql.HasOperationContext(ctx) {
			// An operation rejected before it ran never met InterceptOperation.
			oc := graphql.GetOperationContext(ctx)
			l.mu.Lock()
			if l.opType == "" {
				l.operation, l.opType = operationName(oc), operationType(oc)
			}
			l.mu.Unlock()
		}
		for _, e := range resp.Errors {
			noteErrorCode(ctx, e)
		}
	}
	return resp
}
