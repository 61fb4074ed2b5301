package observe

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// ServiceName is the default service.name of pcnet's traces;
// OTEL_SERVICE_NAME overrides it.
const ServiceName = "pcnet"

// Tracing is the tracer provider of the service and how to stop it.
type Tracing struct {
	// Provider makes the tracers; a no-op provider when tracing is off.
	Provider trace.TracerProvider
	// Enabled reports whether spans are exported.
	Enabled bool
	// Endpoint describes where spans go, for the start-up log.
	Endpoint string
	// Shutdown flushes the spans not yet exported and stops the exporter.
	Shutdown func(context.Context) error
}

// Propagator reads and writes the W3C trace context and baggage headers, so
// that a trace started by a client or a proxy continues through pcnet.
func Propagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// TracingFromEnv sets tracing up from the standard OpenTelemetry
// environment variables (getenv is os.Getenv outside tests):
//
//   - OTEL_SDK_DISABLED=true, or OTEL_TRACES_EXPORTER=none: off.
//   - OTEL_TRACES_EXPORTER=otlp, or OTEL_EXPORTER_OTLP_ENDPOINT or
//     OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set: spans are exported over
//     OTLP/HTTP (protobuf), configured by the other OTEL_EXPORTER_OTLP_*
//     variables (headers, timeout, TLS, compression); sampling follows
//     OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG (default: every trace,
//     or as the caller's traceparent says); the resource follows
//     OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
//   - otherwise: off. Off means a no-op provider: spans cost next to
//     nothing and go nowhere.
//
// Other exporters (console, zipkin, OTLP over gRPC) are refused with an
// error naming the variable, rather than silently ignored.
func TracingFromEnv(ctx context.Context, getenv func(string) string, version string) (*Tracing, error) {
	off := &Tracing{Provider: noop.NewTracerProvider(), Shutdown: func(context.Context) error { return nil }}
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") {
		return off, nil
	}
	exporter := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")))
	endpoint := getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	if endpoint == "" {
		endpoint = getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
	}
	switch exporter {
	case "none":
		return off, nil
	case "":
		if endpoint == "" {
			return off, nil
		}
	case "otlp":
	default:
		return nil, fmt.Errorf("OTEL_TRACES_EXPORTER: %q is not supported: use otlp (over HTTP) or none", exporter)
	}
	if p := strings.ToLower(getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") + getenv("OTEL_EXPORTER_OTLP_PROTOCOL")); strings.HasPrefix(p, "grpc") {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL: %q is not supported: pcnet exports OTLP over HTTP (http/protobuf)", p)
	}
	// New reads the OTEL_EXPORTER_OTLP_* variables itself; it connects
	// lazily, so an unreachable collector never stops the service.
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", ServiceName), attribute.String("service.version", version)),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
	)
	if err != nil {
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	if endpoint == "" {
		endpoint = "https://localhost:4318 (the OTLP default)"
	}
	return &Tracing{Provider: tp, Enabled: true, Endpoint: endpoint, Shutdown: tp.Shutdown}, nil
}
