// Package nunjucks renders Backstage template text as Backstage's
// scaffolder renders it: Nunjucks with ${{ }} for output, {% %} for if,
// for, set and raw, {# #} for comments, autoescape off, and the filters
// Backstage adds (parseRepoUrl, parseEntityRef, pick, projectSlug).
//
// It owns the renderer, the JavaScript conversions its output follows
// (js.go: Nunjucks compiles templates to JavaScript), how a step's input
// and if: are read (RenderValue, Meter.Condition, as Backstage's workflow
// runner reads them), and the Budget a render may spend: output, value
// size, steps and time, the context checked inside loops and filters, and
// limits on nesting, so that a template from any repository cannot ask for
// gigabytes or loop for ever. TestRenderMatchesNunjucks holds it to the
// real nunjucks, pinned in e2e/nunjucks, byte for byte.
//
// It is pure: values in, text or values out; it knows nothing of GitHub.
package nunjucks
