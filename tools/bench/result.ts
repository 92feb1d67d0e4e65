import type { BulkFigures } from './bulk';
import type { CostFigures } from './cost/run';
import type { FeedFigures } from './feed/run';
import type { FloorFigures } from './floor/run';
import type { NaiveFigures } from './naive/run';
import type { BenchOptions } from './options';
import type { PacedPoint } from './paced/figures';
import type { ReadsFigures } from './reads/run';
import type { ScaleFigures } from './scale';
import type { ServiceFigures } from './service/run';
import type { SpreadFigures } from './spread/run';

export interface BenchResult {
  startedAt: string;
  machine: { cpus: number; memoryGiB: number; node: string; platform: string };
  options: BenchOptions;
  floor?: FloorFigures;
  /** The floor doing the service's workflow shape on the engine (an activity before the writes, a search attribute after). */
  floorServiceShape?: FloorFigures;
  service?: ServiceFigures;
  naive?: { faultRate: number; clean: NaiveFigures; faulty: NaiveFigures; serviceWithFaults?: ServiceFigures };
  bulk?: BulkFigures;
  scale?: ScaleFigures;
  feed?: FeedFigures;
  paced?: PacedPoint[];
  cost?: CostFigures;
  spread?: SpreadFigures;
  reads?: ReadsFigures;
  ratios?: {
    serviceOverFloorThroughput: number;
    serviceOverFloorP99: number;
    /** Service ÷ the floor doing the service's workflow shape. */
    serviceOverFloorServiceShapeThroughput?: number;
    naiveOverServiceThroughput?: number;
  };
  totalSeconds: number;
}
