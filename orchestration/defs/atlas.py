"""The atlas (a static offline site of every region) as the last asset of the warehouse job:
built from the published warehouse only, like any other consumer of the contract."""

import dagster as dg

from orchestration.atlas import build_atlas
from orchestration.policies import OWNERS
from orchestration.resources import Warehouse


@dg.asset(
    key=dg.AssetKey(["atlas"]),
    group_name="publish",
    owners=OWNERS,
    kinds={"html"},
    deps=[dg.AssetKey(["published", "tw_resas"])],
    description="warehouse/atlas/: index maps and one page per nation, county and township, "
    "built offline from the published warehouse (make atlas builds it alone).",
)
def atlas(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    built = build_atlas(warehouse.published_db, warehouse.atlas_dir,
                        quality_root=warehouse.quality_root, data_docs=warehouse.data_docs)
    context.log.info(f"atlas: {built.pages} pages in {built.seconds:.1f} s")
    return dg.MaterializeResult(metadata={
        "index": dg.MetadataValue.path(str(built.out_dir / "index.html")),
        "pages": dg.MetadataValue.int(built.pages),
        "build_seconds": dg.MetadataValue.float(round(built.seconds, 2)),
        "largest_page_bytes": dg.MetadataValue.int(built.largest_page_bytes),
    })
