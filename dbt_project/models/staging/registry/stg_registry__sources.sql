with

source as (
    select * from {{ source('registry', 'sources') }}
),

renamed as (
    select
        cast(source_id as varchar) as source_id,
        cast(publisher as varchar) as publisher,
        cast(dataset as varchar) as dataset,
        cast(kind as varchar) as kind,
        cast(licence as varchar) as licence,
        cast(attribution as varchar) as attribution,
        cast(url_template as varchar) as url_template,
        cast(format as varchar) as file_format,
        cast(cadence as varchar) as cadence,
        cast(snapshot_files as integer) as snapshot_files,
        cast(synthetic_snapshot_files as integer) as synthetic_snapshot_files,
        cast(notes as varchar) as notes
    from source
)

select * from renamed
