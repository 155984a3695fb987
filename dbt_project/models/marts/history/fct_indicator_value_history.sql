-- Every figure the warehouse has published in fct_indicator_value and fct_dgbas_indicator, with
-- the time it was valid (SCD type 2): one row per figure a key held. A new row appears only
-- when a key's figure changes (a rerun on the same inputs adds none); the replaced row is
-- closed (valid_to), a withdrawn figure is closed without a successor.
--
-- valid_from is the publisher's release time where the source records one (the DGBAS exports'
-- CREATION-DATE, Taipei time, stored as UTC), else the start of the run that first published
-- the figure. So the 2016 export's figures that the 2020 export revised are valid from
-- 2016-05-06 to 2020-01-12, even though the warehouse loads both exports in one run.
--
-- State: the history last *published* (read back into raw by Dagster), not this model's own
-- previous build, so a build the gates refuse leaves no trace and losing the working database
-- loses no history; the history advances only with a publication (write-audit-publish).
--
-- Only the keys this build can change get their timeline rebuilt (changed_keys): every other
-- key's recorded rows stand as published, which on a rerun is nearly every key.
{% set run_time = "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "' as timestamp)" %}
{% set run_id = env_var('TWRESAS_RUN_ID', 'dbt-' ~ invocation_id) %}
{% set key = ['mart', 'indicator_code', 'region_code', 'period', 'grain', 'scenario'] %}
{% set dgbas_sources = "('dgbas_county_indicators', 'dgbas_county_indicators_2020')" %}
with

indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
),

dgbas_indicators as (
    select * from {{ ref('fct_dgbas_indicator') }}
),

dgbas_catalogue_values as (
    select * from {{ ref('int_dgbas__catalogue_values') }}
),

dgbas_values as (
    select * from {{ ref('int_dgbas__values_coded') }}
),

dgbas_states as (
    select * from {{ ref('int_dgbas__release_states') }}
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

-- scenario is null for observed values; '' inside this model, so the key joins with =
prior as (
    select
        {{ star_replace(ref('stg_warehouse__published_indicator_value_history'),
                        {'scenario': "coalesce(scenario, '')"}) }}
    from {{ ref('stg_warehouse__published_indicator_value_history') }}
),

raw_files as (
    {{ raw_files_by_source() }}
),

-- what the marts say now, with the release time of each figure where its source has one
current_figures as (
    select
        'fct_indicator_value' as mart,
        indicator_values.indicator_code,
        indicator_values.region_code,
        indicator_values.period,
        indicator_values.grain,
        coalesce(indicator_values.scenario, '') as scenario,
        indicator_values.value,
        dgbas_catalogue_values.export_created - interval 8 hour as released_at,
        indicator_values.source_id,
        coalesce(dgbas_catalogue_values.raw_sha256, raw_files.raw_sha256) as raw_sha256
    from indicator_values
    left join dgbas_catalogue_values
        on
            indicator_values.indicator_code = dgbas_catalogue_values.indicator_code
            and indicator_values.region_code = dgbas_catalogue_values.region_code
            and indicator_values.period = dgbas_catalogue_values.period
            and indicator_values.source_id = dgbas_catalogue_values.source_id
            and indicator_values.value = dgbas_catalogue_values.value
            and indicator_values.grain = 'year'
            and indicator_values.scenario is null
    left join raw_files on indicator_values.source_id = raw_files.source_id
    union all
    select
        'fct_dgbas_indicator' as mart,
        dgbas_indicators.indicator_zh as indicator_code,
        dgbas_indicators.region_code,
        dgbas_indicators.period,
        'year' as grain,
        '' as scenario,
        dgbas_indicators.value,
        dgbas_values.export_created - interval 8 hour as released_at,
        dgbas_indicators.source_id,
        dgbas_values.raw_sha256
    from dgbas_indicators
    inner join dgbas_values
        on
            dgbas_indicators.indicator_zh = dgbas_values.indicator_zh
            and dgbas_indicators.region_code = dgbas_values.region_code
            and dgbas_indicators.year = dgbas_values.year
),

-- what earlier DGBAS exports said of a cell (null: no data), and a placeholder in the current
-- export where an earlier one had a figure (the figure was withdrawn)
dgbas_earlier_states as (
    select
        'fct_dgbas_indicator' as mart,
        indicator_zh as indicator_code,
        region_code,
        period,
        'year' as grain,
        '' as scenario,
        value,
        export_created - interval 8 hour as released_at,
        source_id,
        raw_sha256
    from dgbas_states
    where release_rank > 1 or value is null
    union all
    -- the same for the catalogue indicators whose current figure is DGBAS's, in their unit
    select
        'fct_indicator_value' as mart,
        catalogue.indicator_code,
        dgbas_states.region_code,
        dgbas_states.period,
        'year' as grain,
        '' as scenario,
        dgbas_states.value * dgbas_catalogue_values.unit_factor as value,
        dgbas_states.export_created - interval 8 hour as released_at,
        dgbas_states.source_id,
        dgbas_states.raw_sha256
    from dgbas_states
    inner join catalogue on dgbas_states.indicator_zh = catalogue.dgbas_indicator_zh
    inner join dgbas_catalogue_values
        on
            catalogue.indicator_code = dgbas_catalogue_values.indicator_code
            and dgbas_states.region_code = dgbas_catalogue_values.region_code
            and dgbas_states.period = dgbas_catalogue_values.period
    inner join indicator_values
        on
            dgbas_catalogue_values.indicator_code = indicator_values.indicator_code
            and dgbas_catalogue_values.region_code = indicator_values.region_code
            and dgbas_catalogue_values.period = indicator_values.period
            and indicator_values.grain = 'year'
            and indicator_values.scenario is null
            and indicator_values.source_id = dgbas_catalogue_values.source_id
            -- DGBAS's own figure, not one we compute from DGBAS inputs (those are dated by run)
            and dgbas_catalogue_values.value = indicator_values.value
    where
        dgbas_states.release_rank > 1
        and dgbas_states.export_created < dgbas_catalogue_values.export_created
),

recorded_releases as (
    select distinct
        source_id,
        valid_from as released_at
    from prior
    where valid_from_basis = 'publisher_release'
),

candidates as (
    select
        *,
        true as is_current_figure
    from current_figures
    union all
    select
        *,
        false as is_current_figure
    from dgbas_earlier_states
),

prior_open as (
    select * from prior
    where valid_to is null
),

unrecorded_release_figures as (
    select candidates.*
    from candidates
    anti join recorded_releases
        on
            candidates.source_id = recorded_releases.source_id
            and candidates.released_at = recorded_releases.released_at
    where candidates.released_at is not null
),

-- The keys whose timeline this build can change: a current figure that is not the recorded
-- current one, a recorded current figure that no mart holds any more, or a figure of a release
-- not recorded yet (it may enter the timeline at its release time).
changed_keys as (
    select {{ key | join(', ') }}
    from current_figures
    anti join prior_open
        on
            {{ key_columns_match('prior_open', 'current_figures', key) }}
            and current_figures.value = prior_open.value
    union
    select {{ key | join(', ') }}
    from prior_open
    anti join current_figures on {{ key_columns_match('current_figures', 'prior_open', key) }}
    union
    select {{ key | join(', ') }}
    from unrecorded_release_figures
),

changed_prior as (
    select recorded_row.*
    from prior as recorded_row
    semi join changed_keys on {{ key_columns_match('changed_keys', 'recorded_row', key) }}
),

prior_keys as (
    select {{ key | join(', ') }}, max(valid_from) as last_recorded
    from changed_prior
    group by all
),

-- elements of each changed key's timeline: recorded rows, the ends of recorded withdrawals,
-- and what this build adds after the recorded part
recorded as (
    select
        {{ key | join(', ') }}, value, valid_from, valid_to, valid_from_basis, source_id,
        raw_sha256, run_id, recorded_at, true as is_recorded
    from changed_prior
    union all
    select
        {% for column in key %}ended.{{ column }},
        {% endfor %}
        cast(null as double) as value,
        ended.valid_to as valid_from,
        cast(null as timestamp) as valid_to,
        null as valid_from_basis,
        null as source_id,
        null as raw_sha256,
        null as run_id,
        null as recorded_at,
        true as is_recorded
    from changed_prior as ended
    where ended.valid_to is not null and not exists (
        select 1 as found from changed_prior as successor
        where
            {{ key_columns_match('successor', 'ended', key, 'is not distinct from') }}
            and successor.valid_from = ended.valid_to
    )
),

-- A figure of a release not recorded yet, and later than the key's recorded timeline, is valid
-- from its release. Any other current figure is valid from this run: a source without release
-- times, or a release already recorded whose file now says something else (corrected in
-- place); the timeline's earlier states are recorded already.
dated as (
    select
        {{ star_except('candidates', ['released_at']) }},
        case
            when
                candidates.released_at is not null
                and recorded_releases.source_id is null
                and (
                    prior_keys.last_recorded is null
                    or candidates.released_at > prior_keys.last_recorded
                )
                then candidates.released_at
        end as release_valid_from
    from candidates
    semi join changed_keys on {{ key_columns_match('changed_keys', 'candidates', key) }}
    left join prior_keys on {{ key_columns_match('prior_keys', 'candidates', key) }}
    left join recorded_releases
        on
            recorded_releases.source_id = candidates.source_id
            and recorded_releases.released_at = candidates.released_at
),

added as (
    select
        {{ key | join(', ') }}, value, source_id, raw_sha256,
        coalesce(release_valid_from, {{ run_time }}) as valid_from,
        case
            when release_valid_from is null then 'warehouse_publication'
            else 'publisher_release'
        end as valid_from_basis
    from dated
    where release_valid_from is not null or is_current_figure
    union all
    -- withdrawn: the recorded current figure is in no mart any more
    select
        {% for column in key %}prior_open.{{ column }},
        {% endfor %}
        cast(null as double) as value,
        cast(null as string) as source_id,
        cast(null as string) as raw_sha256,
        {{ run_time }} as valid_from,
        'warehouse_publication' as valid_from_basis
    from prior_open
    anti join current_figures on {{ key_columns_match('current_figures', 'prior_open', key) }}
),

timeline as (
    select
        {{ key | join(', ') }}, value, valid_from, valid_to, valid_from_basis, source_id,
        raw_sha256, run_id, recorded_at, is_recorded
    from recorded
    union all
    select
        {{ key | join(', ') }}, value, valid_from, cast(null as timestamp) as valid_to,
        valid_from_basis, source_id, raw_sha256, '{{ run_id }}' as run_id,
        {{ run_time }} as recorded_at, false as is_recorded
    from added
),

-- a new element that repeats the figure in force before it changes nothing
changes as (
    select *
    from timeline
    qualify is_recorded or value is distinct from lag(value) over (
        partition by {{ key | join(', ') }} order by valid_from asc, is_recorded desc
    )
),

closed as (
    select
        *,
        coalesce(valid_to, lead(valid_from) over timeline_order) as closes_at,
        lag(value) over timeline_order as previous_value
    from changes
    window timeline_order as (partition by {{ key | join(', ') }} order by valid_from)
),

histories as (
    select
        {{ key | join(', ') }}, value, previous_value, valid_from, closes_at, valid_from_basis,
        source_id, raw_sha256, run_id, recorded_at
    from closed
    where value is not null
    union all
    -- every other key: its recorded rows as published
    select
        recorded_row.mart,
        recorded_row.indicator_code,
        recorded_row.region_code,
        recorded_row.period,
        recorded_row.grain,
        recorded_row.scenario,
        recorded_row.value,
        recorded_row.previous_value,
        recorded_row.valid_from,
        recorded_row.valid_to as closes_at,
        recorded_row.valid_from_basis,
        recorded_row.source_id,
        recorded_row.raw_sha256,
        recorded_row.run_id,
        recorded_row.recorded_at
    from prior as recorded_row
    anti join changed_keys on {{ key_columns_match('changed_keys', 'recorded_row', key) }}
),

final as (
    select
        cast(mart as string) as mart,
        cast(indicator_code as string) as indicator_code,
        cast(region_code as string) as region_code,
        cast(period as date) as period,
        cast(grain as string) as grain,
        cast(nullif(scenario, '') as string) as scenario,
        cast(value as double) as value,
        cast(previous_value as double) as previous_value,
        cast(valid_from as timestamp) as valid_from,
        cast(closes_at as timestamp) as valid_to,
        closes_at is null as is_current,
        cast(valid_from_basis as string) as valid_from_basis,
        cast(source_id as string) as source_id,
        cast(raw_sha256 as string) as raw_sha256,
        cast(run_id as string) as run_id,
        cast(recorded_at as timestamp) as recorded_at
    from histories
)

select * from final
