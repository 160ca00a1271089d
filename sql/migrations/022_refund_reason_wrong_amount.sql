-- A capture of another amount or currency than the order's is given back as its own kind of refund
-- ('wrong_amount'), and the order stays payable.
ALTER TABLE refunds
  MODIFY reason ENUM('cancellation','late_payment','duplicate_payment','wrong_amount') NOT NULL;
