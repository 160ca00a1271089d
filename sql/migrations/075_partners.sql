-- Partner businesses (issue 17): a hotel group, a bus operator, a restaurant owner. A business owns operators,
-- hotels (and restaurants) through their nullable partner_id (076); NULL means the platform's admins run it.
CREATE TABLE IF NOT EXISTS partners (
  id            INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name          VARCHAR(150) NOT NULL,
  contact_email VARCHAR(254) NOT NULL,
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_partners_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A user belongs to at most one business (the primary key): the partner scope is resolved from the user alone.
-- owner: members and prices too; staff: inventory and bookings.
CREATE TABLE IF NOT EXISTS partner_members (
  user_id    BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  partner_id INT UNSIGNED NOT NULL,
  role       ENUM('owner','staff') NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_partner_members_partner (partner_id),
  CONSTRAINT fk_partner_members_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_partner_members_partner FOREIGN KEY (partner_id) REFERENCES partners (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An invitation link carries a random token; only its SHA-256 digest is stored (as password resets do).
CREATE TABLE IF NOT EXISTS partner_invitations (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  partner_id   INT UNSIGNED NOT NULL,
  email        VARCHAR(254) NOT NULL,
  role         ENUM('owner','staff') NOT NULL,
  token_digest CHAR(64) NOT NULL,
  invited_by   BIGINT UNSIGNED NULL,
  expires_at   DATETIME NOT NULL,
  accepted_at  DATETIME(6) NULL,
  accepted_by  BIGINT UNSIGNED NULL,
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_partner_invitations_token (token_digest),
  KEY ix_partner_invitations_partner (partner_id, created_at),
  CONSTRAINT fk_partner_invitations_partner FOREIGN KEY (partner_id) REFERENCES partners (id) ON DELETE CASCADE,
  CONSTRAINT fk_partner_invitations_by FOREIGN KEY (invited_by) REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT fk_partner_invitations_accepted FOREIGN KEY (accepted_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- "List your business": a signed-in user applies; an admin approves (a business is created, the applicant its
-- owner) or rejects.
CREATE TABLE IF NOT EXISTS partner_applications (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id       BIGINT UNSIGNED NOT NULL,
  business_name VARCHAR(150) NOT NULL,
  kind          ENUM('bus','hotel','restaurant') NOT NULL,
  message       VARCHAR(2000) NOT NULL DEFAULT '',
  status        ENUM('pending','approved','rejected') NOT NULL DEFAULT 'pending',
  partner_id    INT UNSIGNED NULL,
  decided_by    BIGINT UNSIGNED NULL,
  decided_at    DATETIME(6) NULL,
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_partner_applications_status (status, created_at),
  KEY ix_partner_applications_user (user_id),
  CONSTRAINT fk_partner_applications_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_partner_applications_partner FOREIGN KEY (partner_id) REFERENCES partners (id) ON DELETE SET NULL,
  CONSTRAINT fk_partner_applications_by FOREIGN KEY (decided_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
