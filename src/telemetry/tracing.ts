import path from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource, detectResourcesSync, envDetectorSync } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
  type OpenTelemetryWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSink } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { RequestHandler } from 'express';
import { requestSpans } from './request-spans';

/** The name this service's own spans (HTTP requests, provider calls) are made under. */
export const TRACER_NAME = 'booking-calendar-sync';

/**
 * The workflow interceptor modules of a bundle: Temporal's OpenTelemetry workflow interceptors
 * (./workflow-interceptors, with span ids of their own) in a traced bundle, none in a plain one.
 * The worker evaluates a bundle's modules again for every workflow it creates or replays
 * (`reuseV8Context` keeps one context, not one module set), so OpenTelemetry in the bundle costs
 * each workflow its set-up and each activation its spans, exported or not: a worker without
 * tracing runs the plain bundle.
 */
export function workflowInterceptorModules(traced: boolean): string[] {
  return traced ? [path.join(__dirname, 'workflow-interceptors')] : [];
}

/** Where a prebuilt bundle's traced variant is: beside it, `.traced` before the extension (`workflow-bundle.traced.js`). */
export function tracedBundlePath(file: string): string {
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}.traced${ext}`;
}

export interface TracingSettings {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: tracing is on when set (the exporter reads it, and OTEL_EXPORTER_OTLP_HEADERS, itself). */
  otlpEndpoint: string | undefined;
  /** OTEL_SERVICE_NAME, or the service's own name. */
  serviceName: string;
}

/** What the worker registers so the bundle's workflow interceptors can hand their spans out. */
export interface TracingSinks {
  exporter: InjectedSink<OpenTelemetryWorkflowExporter>;
  [name: string]: InjectedSink<OpenTelemetryWorkflowExporter>;
}

/** The pieces the service wires in: all empty (and free) when tracing is off. */
export interface Tracing {
  readonly enabled: boolean;
  /** On the Temporal client the API uses: workflow starts and signals carry the request's trace. */
  clientInterceptors: WorkflowClientInterceptor[];
  /** On the worker: each activity's span, child of the span of the workflow that scheduled it. */
  activityInterceptors: ActivityInterceptorsFactory[];
  /** On the worker: where the workflow interceptors' spans go (dropped when off). */
  sinks: TracingSinks;
  /** First middleware of the API: the server span of each request. */
  requestSpans: RequestHandler | undefined;
  /** Exports what is pending and unregisters the global tracer. */
  shutdown(): Promise<void>;
}

/**
 * Workflow info fields copied onto workflow spans. The SDK's exporter copies the whole
 * WorkflowInfo (memo, search attributes, last result or failure) into each span's attributes;
 * only these identifiers are let through.
 */
const WORKFLOW_SPAN_FIELDS = ['workflowId', 'runId', 'workflowType', 'taskQueue', 'namespace', 'attempt'] as const;

function identifiersOf(info: WorkflowInfo): WorkflowInfo {
  const kept: Record<string, unknown> = {};
  for (const field of WORKFLOW_SPAN_FIELDS) kept[field] = info[field];
  return kept as unknown as WorkflowInfo;
}

/** The workflow span sink: spans carry the workflow's identifiers only; never during replay (the default). */
function workflowSpanSink(processor: SpanProcessor, resource: Resource): InjectedSink<OpenTelemetryWorkflowExporter> {
  const sink = makeWorkflowExporter(processor, resource);
  return { export: { fn: (info, spans) => sink.export.fn(identifiersOf(info), spans) } };
}

/** Tracing off: nothing registered, workflow spans dropped. */
export const TRACING_OFF: Tracing = {
  enabled: false,
  clientInterceptors: [],
  activityInterceptors: [],
  // A traced bundle run without tracing (a bundle named explicitly): its spans are dropped here.
  sinks: { exporter: { export: { fn: () => undefined } } },
  requestSpans: undefined,
  shutdown: () => Promise.resolve(),
};

/**
 * Tracing for this process: on when OTEL_EXPORTER_OTLP_ENDPOINT is set (spans batched to OTLP/HTTP)
 * or when a span exporter is given (tests: spans handed over as each ends). Registers the global
 * tracer provider, context manager and W3C propagator; off, nothing is registered and every
 * tracer is OpenTelemetry's no-op one.
 */
export function startTracing(settings: TracingSettings, spanExporter?: SpanExporter): Tracing {
  if (!spanExporter && !settings.otlpEndpoint) return TRACING_OFF;
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': settings.serviceName }))
    .merge(new Resource(detectResourcesSync({ detectors: [envDetectorSync] }).attributes));
  const processor = spanExporter ? new SimpleSpanProcessor(spanExporter) : new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  const tracer = provider.getTracer(TRACER_NAME);
  return {
    enabled: true,
    clientInterceptors: [new OpenTelemetryWorkflowClientInterceptor({ tracer })],
    activityInterceptors: [
      (ctx) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
        outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
    ],
    sinks: { exporter: workflowSpanSink(processor, resource) },
    requestSpans: requestSpans(tracer),
    async shutdown() {
      await provider.shutdown().catch(() => undefined);
      // A later start in the same process (a restarted service in tests) registers afresh.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
