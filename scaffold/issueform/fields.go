package issueform

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// ownerParam is the parameter that names the new service's owner: the
// OwnerPicker, else a parameter called owner.
func ownerParam(t *Template) *Param {
	for _, p := range t.Params() {
		if p.UIField == "OwnerPicker" {
			return p
		}
	}
	for _, p := range t.Params() {
		if p.Name == "owner" && len(p.Enum) == 0 && !p.hidden() {
			return p
		}
	}
	return nil
}

func (rf *RequestForm) ownerField(p *Param) (Field, Item) {
	fd := Field{ID: "owner", Label: "Owner", Required: true, Role: RoleOwner, Param: p}
	desc := "The team that owns the new service: it gets write access to the repository and is its owner in the catalog."
	if p != nil {
		fd.ID, fd.Label = p.Name, cmp.Or(p.Title, p.Name)
		if p.Description != "" {
			desc = p.Description + "\n\n" + desc
		}
	}
	it := Item{Attributes: Attributes{Description: desc}}
	if len(rf.opts.Owners) > 0 {
		fd.Kind, fd.Options = KindDropdown, dedupe(rf.opts.Owners)
		for _, o := range fd.Options {
			it.Attributes.Options = append(it.Attributes.Options, o)
		}
		if p != nil {
			if d, ok := p.Default.(string); ok {
				if i := slices.Index(fd.Options, d); i >= 0 {
					it.Attributes.Default = &i
				}
			}
		}
	} else {
		fd.Kind = KindInput
		it.Attributes.Placeholder = "group:default/my-team"
	}
	return fd, it
}

// paramField is a parameter's field, by its picker, enum or type.
func (rf *RequestForm) paramField(p *Param, isOwner bool) (Field, Item) {
	if isOwner {
		return rf.ownerField(p)
	}
	fd := Field{ID: p.Name, Label: cmp.Or(p.Title, p.Name), Kind: KindInput, Required: p.Required, Role: RoleParam, Param: p}
	desc := p.Description
	if p.UIHelp != "" {
		desc = strings.TrimSpace(desc + "\n\n" + p.UIHelp)
	}
	it := Item{Attributes: Attributes{Placeholder: p.Placeholder}}
	if s, ok := scalarText(p.Default); ok && p.Type != "boolean" {
		it.Attributes.Value = s
	}
	switch {
	case p.UIField == "RepoUrlPicker":
		desc = rf.repoNameField(&fd, &it, desc)
	case p.UIField == "EntityNamePicker":
		desc = strings.TrimSpace(desc + "\n\nA catalog name: 1–63 characters `a-z`, `A-Z`, `0-9`, separated by `-`, `_` or `.`.")
	case len(p.Enum) > 0:
		dropdown(&fd, &it, p.Enum, p.EnumNames, p.Default)
	case p.Type == "boolean":
		desc = checkbox(&fd, &it, p, desc)
	case p.Type == "array" && p.Items != nil && len(p.Items.Enum) > 0:
		dropdown(&fd, &it, p.Items.Enum, p.Items.EnumNames, nil)
		fd.Multiple, it.Attributes.Multiple = true, true
	case p.Type == "array":
		fd.Kind = KindTextarea
		desc = strings.TrimSpace(desc + "\n\nOne per line.")
		it.Attributes.Value = strings.Join(textsOf(p.Default), "\n")
	case p.Type == "object":
		fd.Kind = KindTextarea
		desc = strings.TrimSpace(desc + "\n\nYAML or JSON.")
		it.Attributes.Value = ""
	case p.UIWidget == "textarea":
		fd.Kind = KindTextarea
	}
	it.Attributes.Description = desc
	return fd, it
}

// repoNameField makes a field the new repository's name, and returns its
// description.
func (rf *RequestForm) repoNameField(fd *Field, it *Item, desc string) string {
	fd.Role, fd.Required = RoleRepoName, true
	where := "in the organisation"
	if rf.opts.Org != "" {
		where = "in **" + rf.opts.Org + "**"
	}
	it.Attributes.Value = ""
	if it.Attributes.Placeholder == "" {
		it.Attributes.Placeholder = "my-new-service"
	}
	return strings.TrimSpace(fmt.Sprintf("The name of the new repository, created %s: letters, digits, `-`, `_` and `.`.\n\n%s", where, desc))
}

// dropdown makes a field a dropdown of enum's values, def selected.
func dropdown(fd *Field, it *Item, enum []any, names []string, def any) {
	fd.Kind = KindDropdown
	fd.Options, fd.values = enumOptions(enum, names)
	for i, o := range fd.Options {
		it.Attributes.Options = append(it.Attributes.Options, o)
		if def != nil && fmt.Sprint(fd.values[i]) == fmt.Sprint(def) {
			it.Attributes.Default = &i
		}
	}
	it.Attributes.Value, it.Attributes.Placeholder = "", ""
}

// checkbox makes a boolean's field one box, and returns its description.
func checkbox(fd *Field, it *Item, p *Param, desc string) string {
	// The box's own label may not repeat the field's (GitHub refuses it).
	fd.Kind = KindCheckboxes
	box := firstLine(p.Description)
	if box == "" || strings.EqualFold(box, fd.Label) {
		box = "Yes"
	}
	fd.Options = []string{box}
	if box == firstLine(desc) {
		desc = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(desc), box))
	}
	opt := map[string]any{"label": box}
	if p.Const == true {
		opt["required"] = true
	}
	// A required boolean is answered by leaving the box clear too.
	fd.Required = false
	it.Attributes.Options = []any{opt}
	it.Attributes.Placeholder = ""
	return desc
}
