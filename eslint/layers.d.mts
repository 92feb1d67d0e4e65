import type { Linter } from 'eslint';

/** The layer rules, one config object per part of the tree. */
export declare const layerRules: Linter.Config[];
