import type { Hash64 } from './key-hash';

const EMPTY = 0;
const LIVE = 1;
const DELETED = 2;

/**
 * An open-addressing hash table from 64-bit hashes to one 32-bit integer, in typed arrays:
 * about 20 bytes per entry at most, where a Map of strings costs over 100.
 */
export class HashIndex {
  private his: Int32Array;
  private los: Int32Array;
  private values: Int32Array;
  private states: Uint8Array;
  private live = 0;
  private used = 0;

  constructor(capacity = 1024) {
    const size = 1 << Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.his = new Int32Array(size);
    this.los = new Int32Array(size);
    this.values = new Int32Array(size);
    this.states = new Uint8Array(size);
  }

  get size(): number {
    return this.live;
  }

  get(h: Hash64): number | undefined {
    const slot = this.find(h.hi, h.lo);
    return slot >= 0 ? this.values[slot] : undefined;
  }

  set(h: Hash64, value: number): void {
    if ((this.used + 1) * 4 > this.states.length * 3) this.resize();
    const mask = this.states.length - 1;
    let slot = start(h.hi, h.lo, mask);
    let reusable = -1;
    for (;;) {
      const state = this.states[slot];
      if (state === EMPTY) break;
      if (state === DELETED) {
        if (reusable < 0) reusable = slot;
      } else if (this.his[slot] === h.hi && this.los[slot] === h.lo) {
        this.values[slot] = value;
        return;
      }
      slot = (slot + 1) & mask;
    }
    if (reusable >= 0) slot = reusable;
    else this.used++;
    this.his[slot] = h.hi;
    this.los[slot] = h.lo;
    this.values[slot] = value;
    this.states[slot] = LIVE;
    this.live++;
  }

  delete(h: Hash64): void {
    const slot = this.find(h.hi, h.lo);
    if (slot < 0) return;
    this.states[slot] = DELETED;
    this.live--;
  }

  private find(hi: number, lo: number): number {
    const mask = this.states.length - 1;
    let slot = start(hi, lo, mask);
    for (;;) {
      const state = this.states[slot];
      if (state === EMPTY) return -1;
      if (state === LIVE && this.his[slot] === hi && this.los[slot] === lo) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private resize(): void {
    const { his, los, values, states } = this;
    const size = this.live * 4 > states.length ? states.length * 2 : states.length;
    this.his = new Int32Array(size);
    this.los = new Int32Array(size);
    this.values = new Int32Array(size);
    this.states = new Uint8Array(size);
    this.live = 0;
    this.used = 0;
    for (let i = 0; i < states.length; i++) {
      if (states[i] === LIVE) this.set({ hi: his[i]!, lo: los[i]! }, values[i]!);
    }
  }
}

function start(hi: number, lo: number, mask: number): number {
  return (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
}
