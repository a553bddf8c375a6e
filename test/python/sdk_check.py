"""Python's official openai and anthropic SDKs against a local EzyBus.

Prints one JSON object with what each SDK parsed; the vitest test asserts on it.
Usage: EZYBUS_URL=http://127.0.0.1:PORT EZYBUS_KEY=sk-eb-... python sdk_check.py OA_MODEL AN_MODEL
"""
import json
import os
import sys

import anthropic
import openai

url = os.environ["EZYBUS_URL"]
key = os.environ["EZYBUS_KEY"]
oa_model, an_model = sys.argv[1], sys.argv[2]
out = {}

oa = openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0)
r = oa.chat.completions.create(model=oa_model, messages=[{"role": "user", "content": "Hello"}])
out["openai_nonstream"] = {"content": r.choices[0].message.content, "finish": r.choices[0].finish_reason,
                           "prompt_tokens": r.usage.prompt_tokens if r.usage else None}
text = ""
chunks = 0
usage = None
for chunk in oa.chat.completions.create(model=oa_model, messages=[{"role": "user", "content": "Hello"}],
                                        stream=True, stream_options={"include_usage": True}):
    chunks += 1
    if chunk.choices and chunk.choices[0].delta.content:
        text += chunk.choices[0].delta.content
    if chunk.usage:
        usage = chunk.usage.completion_tokens
out["openai_stream"] = {"content": text, "chunks": chunks, "completion_tokens": usage}
try:
    oa.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
    out["openai_404"] = None
except openai.NotFoundError as e:
    out["openai_404"] = {"status": e.status_code, "code": e.code}

an = anthropic.Anthropic(base_url=url, api_key=key, max_retries=0)
m = an.messages.create(model=an_model, max_tokens=64, messages=[{"role": "user", "content": "Hello"}])
out["anthropic_nonstream"] = {"text": m.content[0].text, "stop": m.stop_reason, "output_tokens": m.usage.output_tokens}
with an.messages.stream(model=an_model, max_tokens=64, messages=[{"role": "user", "content": "Hello"}]) as st:
    streamed = "".join(st.text_stream)
    final = st.get_final_message()
out["anthropic_stream"] = {"text": streamed, "stop": final.stop_reason, "output_tokens": final.usage.output_tokens}
try:
    anthropic.Anthropic(base_url=url, api_key="sk-eb-wrong", max_retries=0).messages.create(
        model=an_model, max_tokens=5, messages=[{"role": "user", "content": "x"}])
    out["anthropic_401"] = None
except anthropic.AuthenticationError as e:
    out["anthropic_401"] = {"status": e.status_code, "type": e.body["error"]["type"] if isinstance(e.body, dict) else None}
models = oa.models.list()
out["models"] = sorted(m.id for m in models.data)
print(json.dumps(out))
