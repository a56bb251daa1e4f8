/**
 * The incident points as GPU-ready columns, patched in place. Each live incident owns a slot; an event rewrites
 * only that slot's position, colour and radius, and deck.gl re-uploads the columns once per frame. Nothing is
 * rebuilt per event and no per-incident objects are created for drawing, which is what keeps 100k cases smooth
 * (bench/client-update.bench.ts measures it against rebuilding a GeoJSON source).
 *
 * Freed slots (evicted cases) are reused before the high-water mark grows, so memory stays bounded by the peak
 * number of live cases.
 */
import type { IncidentStatus, Priority } from '../../protocol/events';
import { PRIORITY_RADIUS_PX, STATUS_COLOURS } from './incident-style';
import { codesInFocus, focusActive, groupIndexOf, NO_FOCUS, STATE_ENDED, STATE_OPEN, STATE_OVERDUE, type MapFocus } from '../map/map-focus';

export interface IncidentPointAttributes {
  length: number;
  attributes: {
    getPosition: { value: Float32Array; size: 2 };
    getFillColor: { value: Uint8Array; size: 4; normalized: true };
    getRadius: { value: Float32Array; size: 1 };
    /** 1 for an open case, 0 otherwise: the weight the density (hexagon) layer sums */
    getColorWeight: { value: Float32Array; size: 1 };
    getElevationWeight: { value: Float32Array; size: 1 };
    /** [category group index, state code] per case: what the map's focus filters on (client/map/map-focus.ts) */
    getFilterValue: { value: Float32Array; size: 2 };
  };
}

export interface IncidentLook {
  position: readonly [number, number];
  status: IncidentStatus;
  priority: Priority;
  overdue: boolean;
  /** the index of its category's group in CATEGORY_GROUPS (map-focus.ts `groupIndexOf`); `other`'s when left out */
  groupIndex?: number;
}

const INITIAL_CAPACITY = 4096;
const OTHER_GROUP_INDEX = groupIndexOf('other');

export class IncidentBuffers {
  private capacity = INITIAL_CAPACITY;
  private positions = new Float32Array(INITIAL_CAPACITY * 2);
  private colours = new Uint8Array(INITIAL_CAPACITY * 4);
  private radii = new Float32Array(INITIAL_CAPACITY);
  private weights = new Float32Array(INITIAL_CAPACITY);
  private focusCodes = new Float32Array(INITIAL_CAPACITY * 2);
  private readonly slotById = new Map<string, number>();
  private ids: Array<string | undefined> = [];
  private readonly free: number[] = [];
  private highWater = 0;
  private dirty = true;
  private cached: IncidentPointAttributes | null = null;
  /**
   * Per column, whether it changed since the last `attributes()`. deck.gl re-uploads a binary attribute only when
   * its descriptor object changes, so a status change (colour only) re-uploads one column, not four.
   */
  private readonly changed = { position: true, colour: true, radius: true, weight: true, focus: true };
  /** bumps on every change; layers use it as an update trigger */
  version = 0;

  get size(): number {
    return this.slotById.size;
  }

  has(id: string): boolean {
    return this.slotById.has(id);
  }

  /** The incident id drawn at a slot (for picking). */
  idAt(slot: number): string | undefined {
    return this.ids[slot];
  }

  /** Writes (or creates) an incident's slot. */
  upsert(id: string, look: IncidentLook): void {
    let slot = this.slotById.get(id);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.highWater++;
      if (slot >= this.capacity) this.grow();
      this.slotById.set(id, slot);
      this.ids[slot] = id;
    }
    const x = Math.fround(look.position[0]), y = Math.fround(look.position[1]);
    if (this.positions[slot * 2] !== x || this.positions[slot * 2 + 1] !== y) {
      this.positions[slot * 2] = x;
      this.positions[slot * 2 + 1] = y;
      this.changed.position = true;
    }
    const colour = look.overdue ? STATUS_COLOURS.overdue : STATUS_COLOURS[look.status];
    const c = slot * 4;
    if (this.colours[c] !== colour[0] || this.colours[c + 1] !== colour[1] || this.colours[c + 2] !== colour[2] || this.colours[c + 3] !== colour[3]) {
      this.colours.set(colour, c);
      this.changed.colour = true;
    }
    const open = look.status !== 'closed' && look.status !== 'cancelled';
    // Ended cases stay as small dim dots until evicted: the wall shows what was done today, but quietly.
    const radius = Math.fround(open ? PRIORITY_RADIUS_PX[look.priority] * (look.overdue ? 1.25 : 1) : 2);
    if (this.radii[slot] !== radius) {
      this.radii[slot] = radius;
      this.changed.radius = true;
    }
    const weight = open ? 1 : 0;
    if (this.weights[slot] !== weight) {
      this.weights[slot] = weight;
      this.changed.weight = true;
    }
    const state = !open ? STATE_ENDED : look.overdue ? STATE_OVERDUE : STATE_OPEN;
    const group = look.groupIndex ?? OTHER_GROUP_INDEX;
    if (this.focusCodes[slot * 2] !== group || this.focusCodes[slot * 2 + 1] !== state) {
      this.focusCodes[slot * 2] = group;
      this.focusCodes[slot * 2 + 1] = state;
      this.changed.focus = true;
    }
    this.touch();
  }

  remove(id: string): void {
    const slot = this.slotById.get(id);
    if (slot === undefined) return;
    this.slotById.delete(id);
    this.ids[slot] = undefined;
    this.radii[slot] = 0;
    this.colours[slot * 4 + 3] = 0;
    this.weights[slot] = 0;
    this.free.push(slot);
    this.changed.radius = this.changed.colour = this.changed.weight = true;
    this.touch();
  }

  clear(): void {
    this.slotById.clear();
    this.ids = [];
    this.free.length = 0;
    this.highWater = 0;
    this.radii.fill(0);
    this.weights.fill(0);
    this.changed.position = this.changed.colour = this.changed.radius = this.changed.weight = this.changed.focus = true;
    this.touch();
  }

  /** Whether the case in a slot is in the map's focus (the CPU twin of the layer's GPU filter). */
  inFocus(slot: number, focus: MapFocus): boolean {
    return !focusActive(focus) || codesInFocus(focus, this.focusCodes[slot * 2] ?? -1, this.focusCodes[slot * 2 + 1] ?? -1);
  }

  /**
   * The incident drawn nearest to (x, y) within an ellipse of half-axes `reachX`, `reachY` (in the positions' units:
   * a pixel tolerance converted at that point), preferring an open case to an ended one's dim dot; undefined when
   * none is that close. A linear scan of the position column (well under a millisecond for 100k cases), once per
   * click: cheaper than keeping a spatial index in step with every event. A case out of the map's focus is not drawn,
   * so it is not picked either.
   */
  nearest(x: number, y: number, reachX: number, reachY: number, focus: MapFocus = NO_FOCUS): string | undefined {
    const focused = focusActive(focus);
    let open: string | undefined;
    let ended: string | undefined;
    let openDistance = Infinity;
    let endedDistance = Infinity;
    for (let slot = 0; slot < this.highWater; slot++) {
      const id = this.ids[slot];
      if (id === undefined || (focused && !this.inFocus(slot, focus))) continue;
      const dx = ((this.positions[slot * 2] as number) - x) / reachX;
      const dy = ((this.positions[slot * 2 + 1] as number) - y) / reachY;
      const distance = dx * dx + dy * dy;
      if (distance > 1) continue;
      if (this.weights[slot] === 1) {
        if (distance < openDistance) [open, openDistance] = [id, distance];
      } else if (distance < endedDistance) [ended, endedDistance] = [id, distance];
    }
    return open ?? ended;
  }

  /** Writes a slot's position into `target` (for accessor-based layers such as the density hexagons). */
  positionAt(slot: number, target: number[]): number[] {
    target[0] = this.positions[slot * 2] ?? 0;
    target[1] = this.positions[slot * 2 + 1] ?? 0;
    return target;
  }

  /** 1 for a live open case, 0 for an ended case or a free slot; 0 as well for a case out of `focus`. */
  weightAt(slot: number, focus?: MapFocus): number {
    const weight = this.weights[slot] ?? 0;
    return weight !== 0 && focus !== undefined && !this.inFocus(slot, focus) ? 0 : weight;
  }

  /** Ids of every incident that owns a slot. */
  liveIds(): IterableIterator<string> {
    return this.slotById.keys();
  }

  /**
   * The columns for deck.gl. The same object is returned until something changes; after a change a new wrapper is
   * returned in which only the changed columns have new descriptors (around the same typed arrays), so deck.gl
   * re-uploads just those.
   */
  attributes(): IncidentPointAttributes {
    if (this.cached && !this.dirty) return this.cached;
    this.dirty = false;
    const previous = this.cached?.attributes;
    const weights = !previous || this.changed.weight ? { value: this.weights, size: 1 as const } : previous.getColorWeight;
    this.cached = {
      length: this.highWater,
      attributes: {
        getPosition: !previous || this.changed.position ? { value: this.positions, size: 2 } : previous.getPosition,
        getFillColor: !previous || this.changed.colour ? { value: this.colours, size: 4, normalized: true } : previous.getFillColor,
        getRadius: !previous || this.changed.radius ? { value: this.radii, size: 1 } : previous.getRadius,
        getColorWeight: weights,
        getElevationWeight: weights,
        getFilterValue: !previous || this.changed.focus ? { value: this.focusCodes, size: 2 } : previous.getFilterValue,
      },
    };
    this.changed.position = this.changed.colour = this.changed.radius = this.changed.weight = this.changed.focus = false;
    return this.cached;
  }

  private touch(): void {
    this.dirty = true;
    this.version += 1;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const positions = new Float32Array(capacity * 2);
    positions.set(this.positions);
    const colours = new Uint8Array(capacity * 4);
    colours.set(this.colours);
    const radii = new Float32Array(capacity);
    radii.set(this.radii);
    const weights = new Float32Array(capacity);
    weights.set(this.weights);
    const focusCodes = new Float32Array(capacity * 2);
    focusCodes.set(this.focusCodes);
    this.focusCodes = focusCodes;
    this.capacity = capacity;
    this.changed.position = this.changed.colour = this.changed.radius = this.changed.weight = this.changed.focus = true;
    this.positions = positions;
    this.colours = colours;
    this.radii = radii;
    this.weights = weights;
  }
}
