/**
 * How many screens of tiles each source keeps once they leave the view (MapLibre's `maxTileCacheZoomLevels`; its
 * default is 5). MapLibre sizes each source's cache as (the map's width and height in 512-px tiles, plus one each) ×
 * these screens: for the desk's map on a 1920×1080 page (1373×897 px) that is 60 tiles for each of our 8 sources by
 * default, and 24 with 2. A wall is left up for days while its tour and whistle pulls take it to new streets, and
 * every tile it has shown stays cached until the cache is full, each with its feature index and buckets on the heap
 * and its buffers in the GPU process. A wall soak found this to be the heap's whole creep (bench/soak/heap-retainers.ts:
 * every Int32Array added after the warm-up was a cached tile's feature index). bench/tile-cache.bench.ts forces new
 * streets: with 2 the caches are full after 8 jumps and cost 2.9 MB of heap, with the default after 16 and 5.4 MB.
 * Our sources are GeoJSON, which the worker re-tiles from the index it keeps, so a smaller cache costs a reload of a
 * tile, not a fetch.
 */
export const TILE_CACHE_ZOOM_LEVELS = 2;
