"""The atlas: a static, offline region profile site built from the published warehouse."""

from orchestration.atlas.build import AtlasBuild, build_atlas

__all__ = ["AtlasBuild", "build_atlas"]
