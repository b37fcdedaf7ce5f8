/** The verifier's view of the maps of a MapTable (VerifyOptions.map). */
import { ArrayMap } from '../maps/arrays.js';
import type { BpfMap } from '../maps/map.js';
import type { MapTable } from '../maps/table.js';
import type { MapInfo } from './api.js';

/** What the verifier needs to know of `map`. */
export function mapInfo(map: BpfMap): MapInfo {
  return {
    id: map.id,
    name: map.name,
    type: map.type,
    keySize: map.keySize,
    valueSize: map.valueSize,
    maxEntries: map.maxEntries,
    readonly: !map.programWritable,
    directValue: map instanceof ArrayMap && map.maxEntries === 1,
  };
}

/** VerifyOptions.map over the maps of `table`, by id (one MapInfo per map for the verification). */
export function tableMaps(table: MapTable): (id: number) => MapInfo | undefined {
  const seen = new Map<number, MapInfo>();
  return (id) => {
    const m = table.byId(id);
    if (m === undefined || m.closed) return undefined;
    let info = seen.get(id);
    if (info === undefined) {
      info = mapInfo(m);
      seen.set(id, info);
    }
    return info;
  };
}
