package server

import (
	"context"

	"pcnet/internal/pcnet"
)

// The programme's reads (pcnet.ProgrammeStore) through the decorator, like
// every other store call.

func (d *storeDecorator) Participations(ctx context.Context, f pcnet.ParticipationFilter) ([]pcnet.Participation, error) {
	return call(ctx, d, "Participations", 1, func(ctx context.Context) ([]pcnet.Participation, error) { return d.inner.Participations(ctx, f) })
}

func (d *storeDecorator) PathSteps(ctx context.Context, f pcnet.PathStepFilter) ([]pcnet.PathStep, error) {
	return call(ctx, d, "PathSteps", 1, func(ctx context.Context) ([]pcnet.PathStep, error) { return d.inner.PathSteps(ctx, f) })
}

func (d *storeDecorator) ProjectWorkSections(ctx context.Context, ids []string) ([]pcnet.ProjectWorkSection, error) {
	return call(ctx, d, "ProjectWorkSections", 1, func(ctx context.Context) ([]pcnet.ProjectWorkSection, error) {
		return d.inner.ProjectWorkSections(ctx, ids)
	})
}

func (d *storeDecorator) RolloutTargets(ctx context.Context, f pcnet.RolloutTargetFilter) ([]pcnet.RolloutTarget, error) {
	return call(ctx, d, "RolloutTargets", 1, func(ctx context.Context) ([]pcnet.RolloutTarget, error) { return d.inner.RolloutTargets(ctx, f) })
}

func (d *storeDecorator) Materials(ctx context.Context, f pcnet.MaterialFilter) ([]pcnet.Material, error) {
	return call(ctx, d, "Materials", 1, func(ctx context.Context) ([]pcnet.Material, error) { return d.inner.Materials(ctx, f) })
}

func (d *storeDecorator) Pilots(ctx context.Context, f pcnet.PilotFilter) ([]pcnet.Pilot, error) {
	return call(ctx, d, "Pilots", 1, func(ctx context.Context) ([]pcnet.Pilot, error) { return d.inner.Pilots(ctx, f) })
}
