"""pydantic-ai's OpenAIResponsesModel against a local EzyBus (test/clients/pydantic-ai.test.ts).

An Agent on each model given, through an OpenAIProvider whose base_url is the gateway: a plain
run, a streamed run and a run whose tool the agent really calls. Prints one JSON object with what
pydantic-ai returned; the vitest test asserts on it.
Usage: EZYBUS_URL=http://127.0.0.1:PORT EZYBUS_KEY=sk-eb-... python pydantic_ai_check.py MODEL...
"""
import asyncio
import json
import os
import sys

from urllib.parse import quote

from openai import AsyncOpenAI
from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.models.openai import OpenAIResponsesModel, OpenAIResponsesModelSettings
from pydantic_ai.profiles.openai import OpenAIModelProfile
from pydantic_ai.providers.openai import OpenAIProvider

url = os.environ["EZYBUS_URL"]
key = os.environ["EZYBUS_KEY"]


def model(name: str, reasoning: bool = False) -> OpenAIResponsesModel:
    client = AsyncOpenAI(base_url=url + "/v1", api_key=key, max_retries=0)
    # pydantic-ai picks reasoning support from the model's name; for a gateway's names the user
    # says so in the profile, and pydantic-ai then asks for and sends back encrypted reasoning.
    profile = OpenAIModelProfile(openai_supports_reasoning=True, openai_supports_encrypted_reasoning_content=True) if reasoning else None
    return OpenAIResponsesModel(name, provider=OpenAIProvider(openai_client=client), profile=profile)


class City(BaseModel):
    name: str
    country: str


class Trip(BaseModel):
    """A nested model: pydantic's schema for it has $defs and $ref (which Gemini cannot take as they are)."""

    city: City
    days: int


async def check(name: str) -> dict:
    out: dict = {}
    agent = Agent(model(name), instructions="Be brief.")
    r = await agent.run("Greet me [[sim:text=Hello from pydantic-ai]]")
    u = r.usage
    out["plain"] = {"output": r.output, "input_tokens": u.input_tokens, "output_tokens": u.output_tokens, "requests": u.requests}

    async with agent.run_stream("Count [[sim:tokens=12&tps=2000]]") as st:
        deltas = [d async for d in st.stream_text(delta=True, debounce_by=None)]
    out["stream"] = {"text": "".join(deltas), "deltas": len(deltas)}

    seen: list[str] = []
    tools = Agent(model(name))

    @tools.tool_plain
    def weather(city: str) -> str:
        """Weather for a city."""
        seen.append(city)
        return f"It is sunny in {city}"

    r = await tools.run("What is the weather? [[sim:tools=1&tool_once=1&text=It is sunny in sim]]")
    kinds = [p.part_kind for m in r.all_messages() for p in m.parts]
    out["tool"] = {"output": r.output, "seen": seen, "requests": r.usage.requests, "parts": kinds}

    trip = {"city": {"name": "Oslo", "country": "Norway"}, "days": 3}
    planner = Agent(model(name), output_type=Trip)
    r = await planner.run(f"Plan a trip [[sim:tools=1&tool_name=final_result&tool_args={quote(json.dumps(trip))}]]")
    out["structured"] = r.output.model_dump()

    thinker = Agent(model(name, reasoning=True), model_settings=OpenAIResponsesModelSettings(openai_reasoning_effort="low"))

    @thinker.tool_plain
    def lookup(q: str) -> str:
        """Look something up."""
        return f"found {q}"

    r = await thinker.run("Think, then look it up [[sim:thinking=1&tools=1&tool_once=1&text=Done thinking]]")
    thoughts = [p for m in r.all_messages() for p in m.parts if p.part_kind == "thinking"]
    out["thinking"] = {"output": r.output, "signed": [bool(p.signature) for p in thoughts]}
    return out


async def main() -> None:
    print(json.dumps({name: await check(name) for name in sys.argv[1:]}))


if __name__ == "__main__":
    asyncio.run(main())
