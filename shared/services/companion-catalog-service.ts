import { COMPANION_ETHNICITIES } from '../domain/ethnicities.js';
import type { StockCompanion } from '../domain/companion.js';
import { pageOfArray, type Page, type PageRequest } from '../domain/page.js';
import { STOCK_COMPANIONS } from '../domain/stock-companions.js';
import { STANDARD_VOICES, type StandardVoice } from '../domain/voices.js';

/** The fixed lists every project sees: accepted ethnicities, standard voices and the stock companions. */
export class CompanionCatalogService {
  ethnicities(): readonly string[] {
    return COMPANION_ETHNICITIES;
  }

  voices(): readonly StandardVoice[] {
    return STANDARD_VOICES;
  }

  stock(page: PageRequest): Page<StockCompanion> {
    return pageOfArray(STOCK_COMPANIONS, page);
  }
}
