/** What one `npm run bench` run collected, scenario by scenario (written to bench-results/latest.json). */
import type { ColdStartResult } from "./cold-start-scenario.js";
import type { KnowledgeResult } from "./knowledge-scenario.js";
import type { LoadVoiceResult } from "./load-voice.js";
import type { ClientCost } from "./measure-call-cost.js";
import type { SaturationResult } from "./saturation-search.js";
import type { SmsResult } from "./sms-scenario.js";
import type { SoakResult } from "./soak-scenario.js";
import type { SelfTimeRow } from "./summarize-cpu-profile.js";

export interface VoiceLevel {
  calls: number;
  /** The reported round: the one whose Switchboard CPU per turn is the median (see `rounds`). */
  switchboard: LoadVoiceResult;
  floor: LoadVoiceResult;
  /**
   * Each round's CPU per turn, in run order, when the level ran more than once (Switchboard and its
   * floor alternating): a 2-core VM's speed drifts by a fifth within minutes, more than most changes.
   */
  rounds?: Array<{ switchboardCpuMsPerTurn: number; floorCpuMsPerTurn: number; failures: number }>;
}

export interface BenchResults {
  voice: VoiceLevel[];
  /** Switchboard with the lean OpenAI client; with several rounds, the median one (see `rounds`). */
  voiceOpenAi?: {
    calls: number;
    switchboard: LoadVoiceResult;
    rounds?: Array<{ switchboardCpuMsPerTurn: number; failures: number }>;
  };
  interrupt?: { switchboard: LoadVoiceResult; floor: LoadVoiceResult };
  forwarding?: { calls: number; switchboard: LoadVoiceResult; floor: LoadVoiceResult };
  saturation?: SaturationResult;
  sms?: SmsResult;
  knowledge?: KnowledgeResult;
  coldStart?: ColdStartResult;
  modelClient?: ClientCost[];
  soak?: SoakResult;
  profile?: { file: string; top: SelfTimeRow[] };
}
