/* Check a draw on the reader's own machine, written from docs/draw-algorithm.md.

   It downloads the record (draw.json), the sealed ledger and the public chain of
   commitments from the result page's links, and recomputes with the browser's own
   cryptography (Web Crypto): the seed against the commitment, the ledger's hash and
   format, the seal's round rule, the prize list bound at opening, the chain entry,
   and the winners. It cannot check the drand beacon's BLS signature (Web Crypto has
   no pairing): the page says so and how to check it.

   `AssosolosDrawCheck.check(record, ledgerBytes, chainText)` is the whole check,
   without the page: it returns {problems, checked, notes}, each a list of
   {code, values}. The page turns codes into sentences in its language. */
(function () {
  "use strict";

  const ALGORITHM = "assosolos-draw-v1";
  const RECORD_SIZE = 28;
  const QUICKNET_CHAIN_HASH = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971";
  const QUICKNET_GENESIS = 1692803367;
  const QUICKNET_PERIOD = 3;
  const CHAIN_VERSION = "assosolos-commitments-v1";
  const CHAIN_FIELDS = ["position", "lottery", "commitment", "prizes_sha256", "published_at", "previous_hash"];
  const encoder = new TextEncoder();
  const LABEL = encoder.encode("assosolos-draw-v1/stream");
  const HEX64 = /^[0-9a-f]{64}$/;

  function toHex(buffer) {
    return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function fromHex(text) {
    if (typeof text !== "string" || !/^(?:[0-9a-f]{2})*$/.test(text)) throw new Error("not hex");
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }

  async function sha256(bytes) {
    return toHex(await crypto.subtle.digest("SHA-256", bytes));
  }

  function u64be(value) {
    const out = new Uint8Array(8);
    let v = BigInt(value);
    for (let i = 7; i >= 0; i--) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return out;
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  function bitLength(x) {
    let bits = 0;
    while (x >= 1) {
      x = Math.floor(x / 2);
      bits += 1;
    }
    return bits;
  }

  /* §3: block_i = HMAC-SHA256(key, label ‖ u64be(i)), read byte by byte. */
  class Stream {
    constructor(key) {
      this.key = crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      this.buffer = new Uint8Array(0);
      this.counter = 0;
    }

    async read(n) {
      while (this.buffer.length < n) {
        const key = await this.key;
        const block = await crypto.subtle.sign("HMAC", key, concat(LABEL, u64be(this.counter)));
        this.counter += 1;
        this.buffer = concat(this.buffer, new Uint8Array(block));
      }
      const out = this.buffer.slice(0, n);
      this.buffer = this.buffer.slice(n);
      return out;
    }

    /* §4: simple discard; values stay below 2^48, exact in a double. */
    async below(n) {
      if (n === 1) return 0;
      const bits = bitLength(n - 1);
      const size = Math.ceil(bits / 8);
      const modulus = 2 ** bits;
      for (;;) {
        let value = 0;
        for (const byte of await this.read(size)) value = value * 256 + byte;
        value %= modulus; // the low `bits` bits
        if (value < n) return value;
      }
    }
  }

  /* §5: partial Fisher–Yates, only moved positions stored. */
  class Shuffle {
    constructor(n, stream) {
      this.n = n;
      this.taken = 0;
      this.stream = stream;
      this.moved = new Map();
    }

    get remaining() {
      return this.n - this.taken;
    }

    async next() {
      const j = this.taken;
      const r = j + (await this.stream.below(this.n - j));
      const picked = this.moved.has(r) ? this.moved.get(r) : r;
      this.moved.set(r, this.moved.has(j) ? this.moved.get(j) : j);
      this.moved.delete(j);
      this.taken += 1;
      return picked;
    }
  }

  function ledgerRecord(ledger, position) {
    const at = position * RECORD_SIZE;
    const text = new TextDecoder("ascii").decode(ledger.subarray(at, at + RECORD_SIZE));
    return { number: parseInt(text.slice(0, 10), 10), holder: text.slice(11, 27), text };
  }

  function ledgerProblem(ledger) {
    if (ledger.length % RECORD_SIZE !== 0) return { code: "ledger_shape", values: { index: Math.floor(ledger.length / RECORD_SIZE) } };
    let previous = 0;
    for (let i = 0; i < ledger.length / RECORD_SIZE; i++) {
      const record = ledgerRecord(ledger, i);
      if (!/^[0-9]{10} [0-9a-f]{16}\n$/.test(record.text) || record.number <= previous) {
        return { code: "ledger_shape", values: { index: i } };
      }
      previous = record.number;
    }
    return null;
  }

  async function winnersDraw(record, ledger, ledgerHash, randomness) {
    const key = concat(
      fromHex(record.seed),
      fromHex(ledgerHash),
      randomness ? fromHex(randomness) : new Uint8Array(32),
      u64be(record.lottery_id),
    );
    const count = ledger.length / RECORD_SIZE;
    const shuffle = new Shuffle(count, new Stream(key));
    const winners = [];
    const unawarded = [];
    const won = new Set();
    let slot = 0;
    for (const prize of record.prizes) {
      for (let q = 0; q < prize.quantity; q++) {
        let chosen = null;
        while (shuffle.remaining > 0) {
          const entry = ledgerRecord(ledger, await shuffle.next());
          if (record.one_prize_per_person && won.has(entry.holder)) continue;
          chosen = { slot, prize_rank: prize.rank, ticket: entry.number, holder: entry.holder };
          break;
        }
        if (chosen === null) {
          unawarded.push(slot);
        } else {
          winners.push(chosen);
          won.add(chosen.holder);
        }
        slot += 1;
      }
    }
    return { winners, unawarded };
  }

  /* §6: the canonical prize list (keys sorted, no spaces, UTF-8, by rank). */
  function prizesCanonical(prizes) {
    const rows = prizes
      .map((p) => ({ name: String(p.name), quantity: Math.trunc(p.quantity), rank: Math.trunc(p.rank), value_cents: Math.trunc(p.value_cents) }))
      .sort((a, b) => a.rank - b.rank);
    return encoder.encode(JSON.stringify(rows));
  }

  function roundAfter(unix) {
    if (unix < QUICKNET_GENESIS) return 1;
    return Math.floor((unix - QUICKNET_GENESIS) / QUICKNET_PERIOD) + 2;
  }

  /* The seal time in whole Unix seconds, from ISO 8601 with its offset. */
  function wholeSeconds(iso) {
    const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(iso || "");
    if (!match) return null;
    return Date.parse(match[1] + match[2]) / 1000;
  }

  function sealProblems(record) {
    const problems = [];
    const whole = wholeSeconds(record.sealed_at);
    if (whole === null || whole !== record.sealed_at_unix) {
      return [{ code: "seal_time", values: { unix: record.sealed_at_unix, iso: record.sealed_at } }];
    }
    if (record.beacon_round === null || record.beacon_round === undefined) return problems;
    const margin = record.beacon_margin_seconds;
    if (!Number.isInteger(margin) || margin < 0) {
      problems.push({ code: "round_rule", values: { named: record.beacon_round, rule: "?", margin: "?" } });
    } else if (roundAfter(record.sealed_at_unix + margin) !== record.beacon_round) {
      problems.push({
        code: "round_rule",
        values: { named: record.beacon_round, rule: roundAfter(record.sealed_at_unix + margin), margin },
      });
    }
    return problems;
  }

  async function beaconProblems(record) {
    const beacon = record.beacon;
    const problems = [];
    if (beacon === null || beacon === undefined) {
      if (record.beacon_round !== null && record.beacon_round !== undefined) {
        problems.push({ code: "beacon_unused", values: { round: record.beacon_round } });
      }
      return problems;
    }
    if (beacon.round !== record.beacon_round) {
      problems.push({ code: "beacon_round", values: { round: beacon.round, named: record.beacon_round } });
    }
    if (beacon.network !== "quicknet" || beacon.chain_hash !== QUICKNET_CHAIN_HASH) {
      problems.push({ code: "beacon_chain", values: { chain: QUICKNET_CHAIN_HASH } });
    }
    if (!/^[0-9a-f]{96}$/.test(beacon.signature || "") || (await sha256(fromHex(beacon.signature))) !== beacon.randomness) {
      problems.push({ code: "beacon_randomness", values: {} });
    }
    return problems;
  }

  function chainParse(text) {
    if (!text) return [];
    return text.replace(/\n+$/, "").split("\n\n").map((block) => {
      const lines = block.split("\n");
      if (lines.length !== CHAIN_FIELDS.length + 1 || lines[0] !== CHAIN_VERSION) throw new Error("malformed entry");
      const entry = { text: block + "\n" };
      CHAIN_FIELDS.forEach((name, i) => {
        const line = lines[i + 1];
        if (!line.startsWith(name + "=")) throw new Error("malformed entry");
        entry[name] = line.slice(name.length + 1);
      });
      return entry;
    });
  }

  async function chainProblems(record, chainText) {
    let entries;
    try {
      entries = chainParse(chainText);
    } catch (error) {
      return { problems: [{ code: "chain_malformed", values: {} }], entry: null };
    }
    const problems = [];
    let previous = "0".repeat(64);
    let found = null;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (entry.position !== String(i + 1) || entry.previous_hash !== previous) {
        problems.push({ code: "chain_broken", values: { position: entry.position } });
      }
      previous = await sha256(encoder.encode(entry.text));
      if (entry.lottery === String(record.lottery_id)) found = entry;
    }
    if (found === null) {
      problems.push({ code: "chain_missing", values: {} });
    } else if (found.commitment !== record.commitment || found.prizes_sha256 !== (record.prizes_sha256 || "")) {
      problems.push({ code: "chain_commitment", values: { position: found.position } });
    }
    return { problems, entry: found };
  }

  async function check(record, ledger, chainText) {
    const problems = [];
    const checked = [];
    const notes = [];
    if (record.algorithm !== ALGORITHM) {
      return { problems: [{ code: "algorithm", values: { algorithm: String(record.algorithm) } }], checked, notes };
    }
    if (!HEX64.test(record.seed || "") || (await sha256(fromHex(record.seed))) !== record.commitment) {
      problems.push({ code: "commitment", values: {} });
    } else {
      checked.push({ code: "commitment", values: {} });
    }
    const ledgerHash = await sha256(ledger);
    const count = Math.floor(ledger.length / RECORD_SIZE);
    const before = problems.length;
    if (ledgerHash !== record.ledger_sha256) {
      problems.push({ code: "ledger_hash", values: { actual: ledgerHash, published: record.ledger_sha256 } });
    }
    if (count !== record.ticket_count) {
      problems.push({ code: "ledger_count", values: { actual: count, published: record.ticket_count } });
    }
    const shape = ledgerProblem(ledger);
    if (shape) problems.push(shape);
    if (problems.length === before) checked.push({ code: "ledger", values: { count } });

    const seal = sealProblems(record).concat(await beaconProblems(record));
    problems.push(...seal);
    if (record.beacon) {
      if (!seal.length) checked.push({ code: "beacon", values: { round: record.beacon.round, margin: record.beacon_margin_seconds } });
    } else {
      notes.push({ code: "no_beacon", values: {} });
    }

    if (record.prizes_sha256) {
      const listed = await sha256(prizesCanonical(record.prizes));
      if (listed !== record.prizes_sha256 || (record.seal_prizes_sha256 && record.seal_prizes_sha256 !== record.prizes_sha256)) {
        problems.push({ code: "prizes", values: {} });
      } else {
        checked.push({ code: "prizes", values: {} });
      }
    }

    if (chainText !== null && chainText !== undefined) {
      const chain = await chainProblems(record, chainText);
      problems.push(...chain.problems);
      if (!chain.problems.length) checked.push({ code: "chain", values: { position: chain.entry.position } });
    }

    if (ledger.length % RECORD_SIZE === 0 && !shape) {
      const randomness = record.beacon ? record.beacon.randomness : null;
      const result = await winnersDraw(record, ledger, ledgerHash, randomness);
      const published = record.winners || [];
      const mismatches = [];
      result.winners.forEach((want, i) => {
        const got = published[i];
        if (!got || got.slot !== want.slot || got.prize_rank !== want.prize_rank || got.ticket !== want.ticket || got.holder !== want.holder) {
          mismatches.push({ code: "winner", values: { slot: want.slot, want: want.ticket, got: got ? got.ticket : "—" } });
        }
      });
      if (published.length !== result.winners.length) {
        mismatches.push({ code: "winners_count", values: { want: result.winners.length, got: published.length } });
      }
      if (JSON.stringify(result.unawarded) !== JSON.stringify(record.unawarded_slots || [])) {
        mismatches.push({ code: "unawarded", values: {} });
      }
      problems.push(...mismatches);
      if (!mismatches.length) checked.push({ code: "winners", values: { count: result.winners.length } });
    }
    return { problems, checked, notes };
  }

  window.AssosolosDrawCheck = { check };

  /* The page: a button, then one line per check in the page's language. */
  function sentence(messages, item) {
    const template = messages[item.code] || item.code;
    return template.replace(/%\((\w+)\)s/g, (_, name) => String(item.values[name] ?? ""));
  }

  function line(list, text, kind) {
    const li = document.createElement("li");
    li.className = kind;
    li.textContent = text;
    list.appendChild(li);
  }

  async function download(url, asText) {
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return asText ? response.text() : new Uint8Array(await response.arrayBuffer());
  }

  function setUp(box) {
    const messages = JSON.parse(document.getElementById(box.dataset.messages).textContent);
    const button = box.querySelector("button");
    const output = box.querySelector("[data-draw-check-output]");
    box.hidden = false;
    button.addEventListener("click", async () => {
      button.disabled = true;
      output.replaceChildren();
      const status = document.createElement("p");
      status.textContent = messages.running;
      output.appendChild(status);
      try {
        if (!window.crypto || !crypto.subtle) throw new Error(messages.unsupported);
        const [recordText, ledger, chainText] = await Promise.all([
          download(box.dataset.recordUrl, true),
          download(box.dataset.ledgerUrl, false),
          download(box.dataset.chainUrl, true),
        ]);
        const result = await check(JSON.parse(recordText), ledger, chainText);
        const valid = result.problems.length === 0;
        status.className = valid ? "check-valid" : "check-invalid";
        status.dataset.verdict = valid ? "valid" : "invalid";
        status.textContent = valid ? messages.valid : sentence(messages, { code: "invalid", values: { count: result.problems.length } });
        const list = document.createElement("ul");
        list.className = "draw-check-lines";
        result.problems.forEach((item) => line(list, "✗ " + sentence(messages, { code: "bad_" + item.code, values: item.values }), "check-bad"));
        result.checked.forEach((item) => line(list, "✓ " + sentence(messages, { code: "ok_" + item.code, values: item.values }), "check-ok"));
        result.notes.forEach((item) => line(list, sentence(messages, { code: "note_" + item.code, values: item.values }), "check-note"));
        line(list, messages.not_checked, "check-note");
        output.appendChild(list);
      } catch (error) {
        status.className = "check-invalid";
        status.dataset.verdict = "error";
        status.textContent = sentence(messages, { code: "error", values: { detail: error.message } });
      } finally {
        button.disabled = false;
      }
    });
  }

  document.querySelectorAll("[data-draw-check]").forEach(setUp);
})();
