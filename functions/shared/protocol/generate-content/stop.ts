/**
 * generateContent finishReason → canonical stop reason: the one map, for bodies and streams.
 * Every block reason (SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, IMAGE_SAFETY …)
 * is a refusal; a prompt blocked before any candidate (`promptFeedback.blockReason`) is too.
 */
import type { StopReason } from '../canonical.js';

const MAP: Record<string, StopReason> = {
  STOP: 'end_turn',
  MAX_TOKENS: 'max_tokens',
  SAFETY: 'refusal',
  RECITATION: 'refusal',
  BLOCKLIST: 'refusal',
  PROHIBITED_CONTENT: 'refusal',
  SPII: 'refusal',
  IMAGE_SAFETY: 'refusal',
  LANGUAGE: 'refusal',
};

export const stopFromFinish = (finish: string): StopReason => MAP[finish] ?? 'end_turn';
