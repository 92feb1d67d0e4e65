/**
 * Workflow interceptor module (bundled into the workflow sandbox; see WORKFLOW_INTERCEPTOR_MODULES):
 * Temporal's OpenTelemetry workflow interceptors, with span ids that do not come from the
 * workflow's random numbers.
 *
 * Theirs make ids with Math.random, which in a workflow is the same seeded sequence `uuid4()`
 * draws from: every span would shift the ids a workflow makes after it (the connection workflow's
 * notification children), so histories recorded without tracing would no longer replay. Here
 * each run has its own sequence, seeded by its run id: as deterministic on replay (the same spans
 * get the same ids, so later spans still name their exported parents), and the workflow's own
 * random numbers stay what they were.
 */
// First: it gives the sandbox the globals (`performance`) OpenTelemetry's SDK needs when it loads.
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { Tracer } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, SimpleSpanProcessor, type IdGenerator, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/span-exporter';
import { workflowInfo, type WorkflowInterceptors } from '@temporalio/workflow';
import type { ExportResult } from '@opentelemetry/core';

/** 32-bit FNV-1a of a string: the seed of a run's sequence. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Span and trace ids from mulberry32 seeded by the run id; never zero (an invalid id). */
export class RunIdGenerator implements IdGenerator {
  private state: number;
  constructor(runId: string) {
    this.state = fnv1a(runId);
  }
  private word(): string {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0).toString(16).padStart(8, '0');
  }
  private id(words: number): string {
    let id = '';
    while (id === '' || /^0+$/.test(id)) {
      id = '';
      for (let i = 0; i < words; i++) id += this.word();
    }
    return id;
  }
  generateTraceId(): string {
    return this.id(4);
  }
  generateSpanId(): string {
    return this.id(2);
  }
}

/**
 * Spans re-made while replaying history are not handed out: the worker would drop them (they were
 * exported the first time), and a replay worker, which has no sink, would log each as an error.
 */
class LiveSpanExporter extends SpanExporter {
  override export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (workflowInfo().unsafe.isReplayingHistoryEvents) resultCallback({ code: ExportResultCode.SUCCESS });
    else super.export(spans, resultCallback);
  }
}

class InboundInterceptor extends OpenTelemetryInboundInterceptor {
  constructor(protected override readonly tracer: Tracer) {
    super();
  }
}

class OutboundInterceptor extends OpenTelemetryOutboundInterceptor {
  constructor(protected override readonly tracer: Tracer) {
    super();
  }
}

/** Per run: a tracer whose spans leave through the worker's `exporter` sink, as Temporal's own do. */
export const interceptors = (): WorkflowInterceptors => {
  const provider = new BasicTracerProvider({
    idGenerator: new RunIdGenerator(workflowInfo().runId),
    spanProcessors: [new SimpleSpanProcessor(new LiveSpanExporter())],
  });
  const tracer = provider.getTracer('@temporalio/interceptor-workflow');
  return {
    inbound: [new InboundInterceptor(tracer)],
    outbound: [new OutboundInterceptor(tracer)],
    internals: [new OpenTelemetryInternalsInterceptor()],
  };
};
