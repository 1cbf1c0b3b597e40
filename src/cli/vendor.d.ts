// The few parts of two untyped CommonJS packages that the terminal view uses.

declare module 'asciichart' {
  export interface PlotConfig {
    height?: number;
    min?: number;
    max?: number;
    offset?: number;
    padding?: string;
    colors?: string[];
    format?: (x: number, i: number) => string;
  }
  export function plot(series: number[] | number[][], config?: PlotConfig): string;
  export const blue: string;
  export const green: string;
  export const red: string;
  export const magenta: string;
  export const cyan: string;
  export const yellow: string;
  export const lightblue: string;
  export const lightred: string;
  export const reset: string;
}

declare module 'cli-progress' {
  export interface Options {
    format?: string;
    hideCursor?: boolean | null;
    clearOnComplete?: boolean;
    stopOnComplete?: boolean;
    barsize?: number;
    autopadding?: boolean;
    stream?: NodeJS.WritableStream;
    fps?: number;
    forceRedraw?: boolean;
  }
  export class SingleBar {
    update(value: number, payload?: Record<string, unknown>): void;
    setTotal(total: number): void;
    stop(): void;
  }
  export class MultiBar {
    constructor(options: Options, preset?: unknown);
    create(total: number, start: number, payload?: Record<string, unknown>): SingleBar;
    log(text: string): void;
    /** Redraws now, writing the lines log() buffered first. */
    update(): void;
    stop(): void;
  }
  export const Presets: { shades_classic: unknown; shades_grey: unknown; rect: unknown; legacy: unknown };
}
