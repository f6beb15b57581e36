package exec

import (
	"slices"
	"strconv"
	"strings"

	"rustydb/catalog"
	"rustydb/row"
	"rustydb/types"
)

// parameterRows computes v$parameter, the server parameters with the values
// in effect for this session (its own, where it set one), and
// v$parameter_history, the ALTER SYSTEM changes since the server started.
func (c *Context) parameterRows(name string) [][]types.Value {
	if c.Config == nil {
		return nil
	}
	t, b := types.NewText, types.NewBool
	var rows [][]types.Value
	if name == "v$parameter_history" {
		for _, ch := range c.Config.History() {
			rows = append(rows, []types.Value{types.NewTimestampTZ(ch.Time.UnixMicro()), t(ch.Name), t(ch.OldValue),
				t(ch.NewValue), t(string(ch.Scope)), t(ch.User)})
		}
		return rows
	}
	for _, s := range c.Config.Settings() {
		value, modified, source := s.Value, s.Modified, s.Source
		if v, ok := c.SessionConfig[s.Name]; ok {
			value, modified, source = v, true, "session"
		}
		rows = append(rows, []types.Value{t(s.Name), t(s.Key), t(value), t(s.Default), t(s.Type), t(s.Unit),
			b(s.Dynamic), b(s.Session), b(modified), t(source), t(s.Scope), t(s.Description)})
	}
	return rows
}

// pgSettingsRows computes pg_settings as PostgreSQL's drivers and tools read
// it: the session's variables (context user) and the server parameters
// with the values in effect for this session; context says when a change
// applies (postmaster: at restart, sighup: ALTER SYSTEM, user: SET too).
func (c *Context) pgSettingsRows() [][]types.Value {
	t, null := types.NewText, types.Null
	setting := func(name, value, unit, category, desc, context, vartype, source, boot, reset string) []types.Value {
		u := null
		if unit != "" {
			u = t(unit)
		}
		return []types.Value{t(name), t(value), u, t(category), t(desc), null, t(context), t(vartype), t(source),
			null, null, null, t(boot), t(reset), null, null, types.NewBool(false)}
	}
	// Preset limits of this build, which drivers read (pgJDBC's
	// getIndexInfo asks for max_index_keys).
	rows := [][]types.Value{
		setting("max_index_keys", strconv.Itoa(catalog.MaxIndexKeys), "", "Preset Options", "Shows the maximum number of index keys", "internal", "integer", "default", strconv.Itoa(catalog.MaxIndexKeys), strconv.Itoa(catalog.MaxIndexKeys)),
		setting("block_size", strconv.Itoa(row.PageSize), "", "Preset Options", "Shows the size of a disk block", "internal", "integer", "default", strconv.Itoa(row.PageSize), strconv.Itoa(row.PageSize)),
	}
	seen := map[string]bool{}
	if c.Instance != nil {
		for _, v := range c.Instance.Variables() {
			seen[v.Name] = true
			source := "default"
			if v.Value != v.Default {
				source = "session"
			}
			rows = append(rows, setting(v.Name, v.Value, "", "Client Connection Defaults", v.Description, "user", "string", source, v.Default, v.Default))
		}
	}
	if c.Config != nil {
		for _, s := range c.Config.Settings() {
			if seen[s.Name] {
				continue
			}
			value, source := s.Value, s.Source
			if v, ok := c.SessionConfig[s.Name]; ok {
				value, source = v, "session"
			}
			context := "postmaster"
			switch {
			case s.Session:
				context = "user"
			case s.Dynamic:
				context = "sighup"
			}
			vartype := "string"
			switch s.Type {
			case "integer":
				vartype = "integer"
			case "boolean":
				vartype = "bool"
			}
			category, _, _ := strings.Cut(s.Key, ".")
			rows = append(rows, setting(s.Name, value, s.Unit, category, s.Description, context, vartype, source, s.Default, s.Value))
		}
	}
	slices.SortFunc(rows, func(a, b []types.Value) int { return strings.Compare(a[0].S, b[0].S) })
	return rows
}

// currentSetting is current_setting(name): a session variable or a server
// parameter (the session's own value, where it set one), as SHOW gives it.
func (c *Context) currentSetting(name string) (string, bool) {
	name = strings.ToLower(name)
	if c.Instance != nil {
		for _, v := range c.Instance.Variables() {
			if v.Name == name {
				return v.Value, true
			}
		}
	}
	if c.Config != nil {
		for _, s := range c.Config.Settings() {
			if s.Name == name || s.Key == name {
				if v, ok := c.SessionConfig[s.Name]; ok {
					return v, true
				}
				return s.Value, true
			}
		}
	}
	return "", false
}
