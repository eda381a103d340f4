-- TravelTide landing tables (issue 9): users, sessions, flights and hotels as landed by
-- `npm run load` (recognised by their headers) or written by `npm run generate -- --domain travel`.
-- Each row keeps its batch, file and line, like landing.order_lines; rows the loader cannot read
-- go to landing.quarantine. Columns are typed as the TravelTide database types them; the loader
-- checks every value first, so one bad value never aborts a file's COPY.
-- No foreign key to load_batches (see migration 4: a per-row trigger; the loader writes the batch
-- row and its rows in one transaction). Appended batch after batch: BRIN on batch_id.

create table landing.travel_users (
  batch_id          bigint not null,
  source_file       text not null,
  source_line       bigint not null,
  user_id           bigint,
  birthdate         date,
  gender            text,
  married           boolean,
  has_children      boolean,
  home_country      text,
  home_city         text,
  home_airport      text,
  home_airport_lat  double precision,
  home_airport_lon  double precision,
  sign_up_date      date,
  loaded_at         timestamptz not null default now()
);
create index travel_users_batch on landing.travel_users using brin (batch_id);

create table landing.travel_sessions (
  batch_id               bigint not null,
  source_file            text not null,
  source_line            bigint not null,
  session_id             text,
  user_id                bigint,
  trip_id                text,
  session_start          timestamp,
  session_end            timestamp,
  flight_discount        boolean,
  hotel_discount         boolean,
  flight_discount_amount double precision,
  hotel_discount_amount  double precision,
  flight_booked          boolean,
  hotel_booked           boolean,
  page_clicks            integer,
  cancellation           boolean,
  loaded_at              timestamptz not null default now()
);
create index travel_sessions_batch on landing.travel_sessions using brin (batch_id);

create table landing.travel_flights (
  batch_id                 bigint not null,
  source_file              text not null,
  source_line              bigint not null,
  trip_id                  text,
  origin_airport           text,
  destination              text,
  destination_airport      text,
  seats                    integer,
  return_flight_booked     boolean,
  departure_time           timestamp,
  return_time              timestamp,
  checked_bags             integer,
  trip_airline             text,
  destination_airport_lat  double precision,
  destination_airport_lon  double precision,
  base_fare_usd            numeric(14, 4),
  loaded_at                timestamptz not null default now()
);
create index travel_flights_batch on landing.travel_flights using brin (batch_id);

create table landing.travel_hotels (
  batch_id            bigint not null,
  source_file         text not null,
  source_line         bigint not null,
  trip_id             text,
  hotel_name          text,
  nights              integer,
  rooms               integer,
  check_in_time       timestamp,
  check_out_time      timestamp,
  hotel_per_room_usd  numeric(14, 4),
  loaded_at           timestamptz not null default now()
);
create index travel_hotels_batch on landing.travel_hotels using brin (batch_id);

-- the true archetype of each synthetic traveller (generate --domain travel), kept apart from the
-- users table so nothing downstream can read it by accident; only used to score segments
create table landing.travel_archetypes (
  user_id    bigint primary key,
  archetype  text not null,
  batch_id   bigint not null references landing.load_batches
);

-- Every traveller k-means fit (gold.traveler_segment_centres), one row per build: the same record
-- as strata_meta.segment_fits keeps for customer segments, in a table of its own so the two fits
-- of one build do not collide and each keeps its own highest-id-ever.
create table strata_meta.traveler_segment_fits (like strata_meta.segment_fits including all);
