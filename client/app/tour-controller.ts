/**
 * The unattended wall's camera: after `idleMs` without touch it tours the areas one level below the wall's own (the
 * districts of a city wall, the streets of a district's, the communities of a street's), then the wall's whole
 * area, one stop per `intervalMs`; an urgent or emergency whistle pulls the view to the case for a while, then the
 * tour resumes. Any pointer, wheel or key input hands the camera back to the person at the screen.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { soleDistrict, type AreaInfo, type CityModel } from '../geo/city-model';

export type CameraMode = 'manual' | 'touring' | 'pulled';

export interface TourStop {
  /** area code, or `city` */
  code: string;
  name: string;
  bounds: [number, number, number, number];
}

export interface TourCamera {
  fitBounds(bounds: [number, number, number, number], durationMs?: number): void;
  flyTo(centre: [number, number], zoom: number): void;
}

/**
 * Where a wall subscribed to `area` rests and what it tours: its whole area (the city's view, or the area's bounds),
 * and the stops: the areas one level below, in the city package's order, then the whole area. A grid's wall has no
 * level below: its one stop is the grid. An area the city does not know rests on the whole city. A city wall of a
 * package with one district (`soleDistrict`) tours that district's streets.
 */
export function wallStops(city: Pick<CityModel, 'areas' | 'districts' | 'meta'>, area: string): { home: TourStop; stops: TourStop[] } {
  const own = area === 'city' ? undefined : city.areas.get(area);
  if (!own) {
    // a package of one district: the city's tour would be that district and back, so it tours the district's streets
    const sole = soleDistrict(city);
    const home = { code: 'city', name: sole?.name ?? city.meta.name, bounds: city.meta.view.bounds };
    return { home, stops: [...(sole ? below(city, sole.code) : city.districts.map(stopOf)), home] };
  }
  const home = stopOf(own);
  return { home, stops: [...below(city, own.code), home] };
}

function stopOf(area: AreaInfo): TourStop {
  return { code: area.code, name: area.name, bounds: area.bbox };
}

/** The areas one level below `code`, in the city package's order. */
function below(city: Pick<CityModel, 'areas'>, code: string): TourStop[] {
  const stops: TourStop[] = [];
  for (const child of city.areas.values()) if (child.parent === code) stops.push(stopOf(child));
  return stops;
}

/** How long an urgent whistle holds the view. */
export const PULL_HOLD_MS = 30_000;
const INPUT_EVENTS = ['pointerdown', 'pointermove', 'wheel', 'keydown', 'touchstart'] as const;

export class TourController implements ReactiveController {
  mode: CameraMode = 'manual';
  /** the stop shown by the tour (null: the view a person chose, or the initial city view) */
  stop: TourStop | null = null;
  private stops: TourStop[] = [];
  private camera: TourCamera | null = null;
  private lastInput = performance.now();
  private lastMove = 0;
  private pulledUntil = 0;
  private next = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly onInput = () => {
    this.lastInput = performance.now();
    if (this.mode !== 'manual') {
      this.mode = 'manual';
      this.stop = null;
      this.host.requestUpdate();
    }
  };

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: { intervalMs: number; idleMs: number },
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    for (const type of INPUT_EVENTS) window.addEventListener(type, this.onInput, { passive: true });
    this.timer = setInterval(() => this.step(), 1_000);
  }

  hostDisconnected(): void {
    for (const type of INPUT_EVENTS) window.removeEventListener(type, this.onInput);
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Called once the map exists. `stops` are visited in order, the wall's whole area last (see wallStops). */
  attach(camera: TourCamera, stops: TourStop[]): void {
    this.camera = camera;
    this.stops = stops;
  }

  /** Pulls the view to an urgent case (unless a person is driving the screen). */
  pull(centre: [number, number], stop: TourStop): void {
    // `tour=0` turns all camera automation off (tests, and desks that must not move on their own).
    if (!this.camera || this.options.intervalMs === 0 || this.idleFor() < Math.min(this.options.idleMs, 30_000)) return;
    this.camera.flyTo(centre, 14);
    this.mode = 'pulled';
    this.stop = stop;
    this.pulledUntil = performance.now() + PULL_HOLD_MS;
    this.host.requestUpdate();
  }

  private idleFor(): number {
    return performance.now() - this.lastInput;
  }

  private step(): void {
    const now = performance.now();
    if (!this.camera || this.stops.length === 0 || this.options.intervalMs === 0) return;
    if (this.mode === 'pulled' && now < this.pulledUntil) return;
    if (this.idleFor() < this.options.idleMs) return;
    if (this.mode === 'touring' && now - this.lastMove < this.options.intervalMs) return;
    const stop = this.stops[this.next % this.stops.length]!;
    this.next += 1;
    this.camera.fitBounds(stop.bounds);
    this.lastMove = now;
    this.mode = 'touring';
    this.stop = stop;
    this.host.requestUpdate();
  }
}
