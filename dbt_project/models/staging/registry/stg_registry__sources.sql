with

source as (
    select * from {{ source('registry', 'sources') }}
),

renamed as (
    select
        cast(source_id as string) as source_id,
        cast(publisher as string) as publisher,
        cast(dataset as string) as dataset,
        cast(kind as string) as kind,
        cast(licence as string) as licence,
        cast(attribution as string) as attribution,
        cast(url_template as string) as url_template,
        cast(format as string) as file_format,
        cast(cadence as string) as cadence,
        cast(snapshot_files as integer) as snapshot_files,
        cast(synthetic_snapshot_files as integer) as synthetic_snapshot_files,
        cast(notes as string) as notes
    from source
)

select * from renamed
