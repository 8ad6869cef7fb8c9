using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RealtimeAspire.MessageService.Data.Migrations
{
    /// <inheritdoc />
    public partial class MessageEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "Content",
                table: "Messages",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AddColumn<string>(
                name: "Emoji",
                table: "Messages",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "Messages",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "message");

            migrationBuilder.AddColumn<string>(
                name: "Op",
                table: "Messages",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Messages_Room_MessageId",
                table: "Messages",
                columns: new[] { "Room", "MessageId" });

            migrationBuilder.CreateIndex(
                name: "IX_Messages_Room_Seq_Messages",
                table: "Messages",
                columns: new[] { "Room", "Seq" },
                filter: "\"Kind\" = 'message'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Messages_Room_MessageId",
                table: "Messages");

            migrationBuilder.DropIndex(
                name: "IX_Messages_Room_Seq_Messages",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "Emoji",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "Op",
                table: "Messages");

            migrationBuilder.AlterColumn<string>(
                name: "Content",
                table: "Messages",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);
        }
    }
}
