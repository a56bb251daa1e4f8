/** Every city the build knows, by id. Add a city by adding a config file and listing it here. */
import type { CityConfig } from '../pipeline/city-config';
import { hefeiShushan } from './hefei-shushan';
import { kunming } from './kunming';
import { megacity } from './megacity';

export const CITIES: Record<string, CityConfig> = { kunming, 'hefei-shushan': hefeiShushan, megacity };
