/** Chat Completions response shapes, as far as this client reads them (all fields optional on the wire). */

export interface ChatUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

export interface ChatToolCallDelta {
  index?: number;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

/** One `chat.completion.chunk` event of a streamed reply (or an `{ error }` event some servers send). */
export interface ChatCompletionChunk {
  id?: string | null;
  created?: number | null;
  model?: string | null;
  choices?: Array<{
    index?: number;
    delta?: {
      role?: string | null;
      content?: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: ChatToolCallDelta[] | null;
    } | null;
    finish_reason?: string | null;
  }> | null;
  usage?: ChatUsage | null;
  error?: { message?: string; type?: string; code?: unknown } | null;
}

/** The non-streamed `chat.completion` reply. */
export interface ChatCompletion {
  id?: string | null;
  created?: number | null;
  model?: string | null;
  choices?: Array<{
    message?: {
      content?: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: Array<{
        id?: string | null;
        function?: { name?: string | null; arguments?: string | null } | null;
      }> | null;
    } | null;
    finish_reason?: string | null;
  }> | null;
  usage?: ChatUsage | null;
}
