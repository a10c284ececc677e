CREATE TABLE "token_balances" (
	"did" text NOT NULL,
	"token" text NOT NULL,
	"balance" numeric(78, 0) NOT NULL,
	CONSTRAINT "token_balances_did_token_pk" PRIMARY KEY("did","token")
);
--> statement-breakpoint
CREATE INDEX "token_balances_holders_idx" ON "token_balances" USING btree ("token","balance" DESC NULLS LAST,"did");