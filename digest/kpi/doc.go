// Package kpi computes the adoption KPIs of the weekly digest and of
// GET /api/kpis from recorded facts: merged pull requests, first org
// memberships, production deployments, repositories, scaffold requests,
// usage events and DX pulse answers. It is pure: the facts are loaded by
// the digest's store and the catalog, and nothing here does I/O.
//
// A figure built on fewer than MinPeople people is "not enough data": it
// carries no value, so no one reads a percentage of three people as a
// trend, and no answer can be traced back to a person.
package kpi
