// Package httpapi serves a read-only subset of Backstage's catalog REST API
// under /api/catalog: the same routes, query parameters, JSON shapes, filter
// semantics and error bodies, so that @backstage/catalog-client (and anything
// else written against Backstage) can read callboard's catalog unchanged.
//
// Served: GET /entities, GET /entities/by-query, GET
// /entities/by-name/{kind}/{namespace}/{name}, POST /entities/by-refs and GET
// /entity-facets. Backstage's predicate endpoints (POST /entities/by-query,
// POST /entity-facets) answer 501 NotImplementedError; anything else under
// /api/catalog answers 404 NotFoundError.
package httpapi
