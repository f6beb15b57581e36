package exec

import "rustydb/types"

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
