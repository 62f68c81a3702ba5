-- realtime.stuck_orders: which orders have been waiting too long for their next step?
--
-- Grain: one row per order whose live status is paid for longer than the paid_not_shipped
-- threshold, or shipped for longer than the shipped_not_delivered threshold
-- (realtime.monitoring_thresholds, in hours; operators change them with an UPDATE).
--
-- Columns:
--   order_id
--   status                  paid or shipped
--   stuck_reason            paid_not_shipped or shipped_not_delivered
--   status_time             when the order reached that status (UTC)
--   hours_in_status         hours from status_time to now
--   threshold_hours         the threshold it is over
--
-- Definitions: the live status follows realtime.order_status (latest event_time wins, so a late
-- shipment event un-sticks the order once it arrives). Reference time: now (GETDATE()).
CREATE OR REPLACE VIEW realtime.stuck_orders AS
WITH thresholds AS (
  SELECT
    MAX(CASE WHEN name = 'paid_not_shipped' THEN value END) AS paid_hours,
    MAX(CASE WHEN name = 'shipped_not_delivered' THEN value END) AS shipped_hours
  FROM realtime.monitoring_thresholds
),

waiting AS (
  SELECT
    s.order_id,
    s.status,
    CAST(CASE s.status WHEN 'paid' THEN 'paid_not_shipped' ELSE 'shipped_not_delivered' END AS VARCHAR(32))
      AS stuck_reason,
    s.status_time,
    CAST(DATEDIFF(second, s.status_time, GETDATE()) AS DECIMAL(18, 4)) / 3600 AS hours_in_status,
    CASE s.status WHEN 'paid' THEN t.paid_hours ELSE t.shipped_hours END AS threshold_hours
  FROM realtime.order_status s
  CROSS JOIN thresholds t
  WHERE s.status IN ('paid', 'shipped')
)

SELECT
  order_id,
  status,
  stuck_reason,
  status_time,
  CAST(hours_in_status AS DECIMAL(18, 2)) AS hours_in_status,
  threshold_hours
FROM waiting
WHERE hours_in_status > threshold_hours;
