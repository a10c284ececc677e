CREATE TABLE "economy_settlements" (
	"application" text NOT NULL,
	"period" integer NOT NULL,
	"tx_hash" text NOT NULL,
	"height" bigint NOT NULL,
	"charged" numeric(78, 0) NOT NULL,
	"paid" integer NOT NULL,
	"settled_at_ms" bigint NOT NULL,
	CONSTRAINT "economy_settlements_application_period_pk" PRIMARY KEY("application","period")
);
--> statement-breakpoint
CREATE TABLE "economy_usage" (
	"application" text NOT NULL,
	"period" integer NOT NULL,
	"day" integer NOT NULL,
	"kind" text NOT NULL,
	"payee" text NOT NULL,
	"quantity" double precision NOT NULL,
	"unit" text NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"settle_tx" text,
	CONSTRAINT "economy_usage_application_period_day_kind_payee_pk" PRIMARY KEY("application","period","day","kind","payee")
);
--> statement-breakpoint
CREATE INDEX "economy_usage_period_idx" ON "economy_usage" USING btree ("period","application");