-- A refund request carries the merchant's receipt (TravelGo sends refund-<id>). Like Razorpay, TestPay answers a
-- repeated request for a receipt it already accepted with that same refund instead of refunding twice, so a
-- refund re-sent after a lost answer (the provider took it, our write of its id failed) is never paid out twice.
ALTER TABLE testpay_refunds ADD COLUMN IF NOT EXISTS receipt VARCHAR(40) CHARACTER SET ascii NULL AFTER payment_id;
CREATE INDEX IF NOT EXISTS ix_testpay_refunds_receipt ON testpay_refunds (payment_id, receipt);
