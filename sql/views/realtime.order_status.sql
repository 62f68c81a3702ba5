-- realtime.order_status: what is each order's live status, as the orders stream tells it?
--
-- Grain: one row per order with at least one event in realtime.order_events.
--
-- Columns:
--   order_id
--   status, status_time     the latest status and the event_time of the event that set it
--   created_at, paid_at, shipped_at, delivered_at, cancelled_at, returned_at   the first event_time
--                           of each status (NULL if the stream has not carried it)
--   last_arrival_time       when the order's newest record arrived
--   events                  distinct events of the order on the stream
--
-- Definitions: the latest status is the event with the greatest (event_time, status rank), the rule
-- the orders transformer applies to the live orders table: an event that arrives late or out of
-- order does not overwrite a newer status, and at the same instant the status further along the
-- life cycle wins.
CREATE OR REPLACE VIEW realtime.order_status AS
WITH ranked AS (
  SELECT
    e.*,
    ROW_NUMBER() OVER (
      PARTITION BY e.order_id ORDER BY e.event_time DESC, e.status_rank DESC, e.event_id DESC
    ) AS recency
  FROM realtime.order_events e
),

milestones AS (
  SELECT
    order_id,
    MIN(CASE WHEN status = 'created' THEN event_time END) AS created_at,
    MIN(CASE WHEN status = 'paid' THEN event_time END) AS paid_at,
    MIN(CASE WHEN status = 'shipped' THEN event_time END) AS shipped_at,
    MIN(CASE WHEN status = 'delivered' THEN event_time END) AS delivered_at,
    MIN(CASE WHEN status = 'cancelled' THEN event_time END) AS cancelled_at,
    MIN(CASE WHEN status = 'returned' THEN event_time END) AS returned_at,
    MAX(arrival_time) AS last_arrival_time,
    COUNT(*) AS events
  FROM realtime.order_events
  GROUP BY order_id
)

SELECT
  r.order_id,
  r.status,
  r.event_time AS status_time,
  m.created_at,
  m.paid_at,
  m.shipped_at,
  m.delivered_at,
  m.cancelled_at,
  m.returned_at,
  m.last_arrival_time,
  m.events
FROM ranked r
JOIN milestones m ON m.order_id = r.order_id
WHERE r.recency = 1;
