import type { RouterOutputs } from '../trpc/types.ts';

/** The node's market procedures as the web app receives them (apps/node/src/market/api-schemas.ts). */
type Market = RouterOutputs['market'];
export type SearchResult = Market['search'];
export type ComponentCard = SearchResult['items'][number];
export type Suggestion = Market['suggest'][number];
export type Facets = Market['facets'];
export type ComponentDetail = Market['component'];
export type ComponentVersion = ComponentDetail['versions'][number];
export type RankPart = ComponentDetail['rank']['parts'][number];
export type ReviewsPage = Market['reviews'];
export type Review = ReviewsPage['items'][number];
export type Developer = Market['developer'];
export type UseCheck = Market['use'];
export type InstallResult = Market['install'];
