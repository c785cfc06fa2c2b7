export interface Budget {
  name: string;
  budget: number;
  figure: number;
  unit: string;
  met: boolean;
}

export interface PartResult {
  table: Record<string, string | number>[];
  figures: unknown;
  budgets: Budget[];
  notes?: string[];
}

/** One named part of `npm run bench`; adding a part is one line in main.ts. */
export interface BenchPart {
  name: string;
  description: string;
  run(options: { args: string[] }): Promise<PartResult>;
}
