package model

import "pcnet/internal/pcnet"

// WorkingGroup is an area's working group: derived from the area and its
// project works (resolved by the loaders), not stored.
type WorkingGroup struct {
	Area pcnet.Area
}

// Name is the group's name, its area's.
func (g WorkingGroup) Name() string { return g.Area.Name }
